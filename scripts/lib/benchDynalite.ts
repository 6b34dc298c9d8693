import { Worker } from 'node:worker_threads';

/**
 * dynalite in a worker thread of the benchmark's process: still in-process, but on its own core,
 * so the emulator's CPU does not count as the function's time (in AWS, DynamoDB's work is not
 * done by the Lambda's vCPU). Returns the endpoint and a stop function.
 */
export async function startDynaliteWorker(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const source = `
    const { parentPort } = require('node:worker_threads');
    const dynalite = require(${JSON.stringify(require.resolve('dynalite'))});
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
    parentPort.on('message', () => server.close(() => process.exit(0)));
  `;
  const worker = new Worker(source, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (message: unknown) => resolve(Number(message)));
    worker.once('error', reject);
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await worker.terminate();
    },
  };
}
