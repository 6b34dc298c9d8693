import { Worker } from 'node:worker_threads';
import type { Emulator } from './Emulator';

/**
 * dynalite or kinesalite in a worker thread of this process, on 127.0.0.1 and a free port: in process, but
 * on its own event loop, so the emulator's work does not stall the broker and the pollers (as in AWS, where
 * DynamoDB's and Kinesis's work is not done by the pipeline's own CPU).
 */
export async function startEmulatorWorker(module: 'dynalite' | 'kinesalite'): Promise<Emulator> {
  const options = module === 'dynalite' ? '{ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }' : '{ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 500 }';
  const source = `
    const { parentPort } = require('node:worker_threads');
    const emulator = require(${JSON.stringify(require.resolve(module))});
    const server = emulator(${options});
    server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
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
    utilization: () => worker.performance.eventLoopUtilization(),
  };
}
