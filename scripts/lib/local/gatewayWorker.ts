/**
 * Entry point of the broker's thread (`GatewayThread`): the MQTT gateway and the rules' stream writers, its
 * counters in the shared buffer, its error actions stored by the parent thread, its shards' loads reported
 * every GATEWAY_REPORT_MS.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { CLOSE_PUTS_WAIT_MS, GATEWAY_COUNTER_NAMES, GATEWAY_REPORT_MS } from './constants';
import type { FromGateway, GatewayWorkerData, ToGateway } from './GatewayThread';
import { MqttGateway } from './MqttGateway';
import { sharedCounters } from './sharedCounters';
import { StreamWriter } from './StreamWriter';

const data = workerData as GatewayWorkerData;
const port = parentPort;
if (!port) throw new Error('gatewayWorker runs in a worker thread (GatewayThread starts it)');
const post = (message: FromGateway): void => port.postMessage(message);

const writers = new Map(data.manifests.streams.map((stream) => [stream.name, new StreamWriter(data.kinesisEndpoint, stream.name)]));
const stored = new Map<number, () => void>();
let nextErrorAction = 1;
const gateway = new MqttGateway({
  manifests: data.manifests,
  streams: writers,
  tls: data.tls,
  counters: sharedCounters(GATEWAY_COUNTER_NAMES, data.counters),
  refusedPuts: data.refusedPuts,
  s3: {
    putObject: (bucket, key, body) =>
      new Promise<void>((resolve) => {
        const id = nextErrorAction;
        nextErrorAction += 1;
        stored.set(id, resolve);
        post({ type: 'errorAction', id, bucket, key, body });
      }),
  },
});

// postMessage copies the loads; the writers go on counting into their own.
const reportShardLoads = (): void => post({ type: 'shardLoads', loads: [...writers.values()].flatMap((writer) => [...writer.shardLoad]) });
const reporter = setInterval(reportShardLoads, GATEWAY_REPORT_MS);

port.on('message', (message: ToGateway) => {
  if (message.type === 'stored') {
    stored.get(message.id)?.();
    stored.delete(message.id);
  } else if (message.type === 'drop') post({ type: 'dropped', id: message.id, count: gateway.dropConnections(message.fraction) });
  else if (message.type === 'close') void close(message.id);
});

/** Closes the listener and the connections, lets the puts in flight finish (their presence events), then reports once more. */
async function close(id: number): Promise<void> {
  clearInterval(reporter);
  await gateway.close().catch(() => undefined);
  const deadline = Date.now() + CLOSE_PUTS_WAIT_MS;
  while (gateway.counters.pendingPuts > 0 && Date.now() < deadline) await sleep(10);
  reportShardLoads();
  for (const writer of writers.values()) writer.close();
  post({ type: 'closed', id });
}

gateway.start(data.port).then(
  (listening) => post({ type: 'ready', port: listening }),
  (error: Error) => post({ type: 'failed', message: error.message }),
);
