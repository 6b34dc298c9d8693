import { DeleteStreamCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { startKinesalite, TestStream, type Emulator } from '../helpers/emulators';
import { runEventSourceMapping } from '../helpers/eventSourceMapping';

let kinesalite: Emulator;
let streamCount = 0;
let current: TestStream | undefined;

beforeAll(async () => {
  kinesalite = await startKinesalite();
});

// kinesalite allows 10 shards an account, as a new AWS account does: each test's stream goes when it ends.
afterEach(async () => {
  await current?.client.send(new DeleteStreamCommand({ StreamName: current.name }));
  current?.client.destroy();
  current = undefined;
});

afterAll(async () => {
  await kinesalite.stop();
});

/** A stream holding r0..r5 on one shard, and their sequence numbers. */
async function sixRecords(): Promise<{ stream: TestStream; sequences: string[] }> {
  streamCount += 1;
  const stream = new TestStream(kinesalite.endpoint, `kinesis-esm-driver-test-${streamCount}`);
  await stream.create();
  current = stream;
  const sequences = await stream.put(['r0', 'r1', 'r2', 'r3', 'r4', 'r5'], () => 'pump-00001');
  return { stream, sequences };
}

const payloadsOf = (event: KinesisStreamEvent): string[] => event.Records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString());

/**
 * A handler that answers `report` for every batch holding r0 (the first batch of four) and succeeds on the rest,
 * keeping the payloads of each invocation.
 */
function reporting(report: (sequences: readonly string[]) => unknown): { batches: string[][]; handler: (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse> } {
  const batches: string[][] = [];
  return {
    batches,
    handler: (event) => {
      const payloads = payloadsOf(event);
      batches.push(payloads);
      const response = payloads.includes('r0') ? report(event.Records.map((record) => record.kinesis.sequenceNumber)) : { batchItemFailures: [] };
      // What a handler may really return: the mapping reads JSON, whatever the handler's type says.
      return Promise.resolve(response as KinesisStreamBatchResponse);
    },
  };
}

describe('the event source mapping driver reads ReportBatchItemFailures as Lambda does', () => {
  it('retries from the lowest reported record of the batch, however many are reported', async () => {
    const { stream, sequences } = await sixRecords();
    const { batches, handler } = reporting((batch) => ({ batchItemFailures: [{ itemIdentifier: batch[3] }, { itemIdentifier: batch[2] }] }));
    const run = await runEventSourceMapping(stream, handler, { batchSize: 4, maxRetries: 1 });

    expect(batches).toEqual([['r0', 'r1', 'r2', 'r3'], ['r2', 'r3'], ['r4', 'r5']]);
    expect(run.delivered.map((record) => record.kinesis.sequenceNumber)).toEqual(sequences);
    expect(run.deadLettered).toEqual([]);
    expect(run.invocations).toBe(3);
  });

  test.each<[string, (batch: readonly string[], sequences: readonly string[]) => unknown]>([
    ['a missing itemIdentifier', () => ({ batchItemFailures: [{}] })],
    ['a null itemIdentifier', () => ({ batchItemFailures: [{ itemIdentifier: null }] })],
    ['an empty itemIdentifier', () => ({ batchItemFailures: [{ itemIdentifier: '' }] })],
    ['an itemIdentifier under another key name', (batch) => ({ batchItemFailures: [{ itemId: batch[2] }] })],
    ['the sequence number of a record after the batch', (_batch, sequences) => ({ batchItemFailures: [{ itemIdentifier: sequences[5] }] })],
    ['a sequence number the stream never gave', () => ({ batchItemFailures: [{ itemIdentifier: '49999999999999999999999999999999999999999999999999999999' }] })],
    ['one record of the batch beside an empty itemIdentifier', (batch) => ({ batchItemFailures: [{ itemIdentifier: batch[2] }, { itemIdentifier: '' }] })],
  ])('fails the whole batch for %s: retried whole, then dead-lettered whole', async (_case, report) => {
    const { stream, sequences } = await sixRecords();
    const { batches, handler } = reporting((batch) => report(batch, sequences));
    const run = await runEventSourceMapping(stream, handler, { batchSize: 4, maxRetries: 1 });

    expect(batches).toEqual([['r0', 'r1', 'r2', 'r3'], ['r0', 'r1', 'r2', 'r3'], ['r4', 'r5']]);
    expect(run.deadLettered.map((record) => record.kinesis.sequenceNumber)).toEqual(sequences.slice(0, 4));
    expect(run.delivered.map((record) => record.kinesis.sequenceNumber)).toEqual(sequences.slice(4));
    expect(run.invocations).toBe(3);
  });

  test.each<[string, unknown]>([
    ['an empty list', { batchItemFailures: [] }],
    ['no list', {}],
    ['no response', undefined],
  ])('counts %s as a success of the whole batch', async (_case, response) => {
    const { stream, sequences } = await sixRecords();
    const { batches, handler } = reporting(() => response);
    const run = await runEventSourceMapping(stream, handler, { batchSize: 4, maxRetries: 1 });

    expect(batches).toEqual([['r0', 'r1', 'r2', 'r3'], ['r4', 'r5']]);
    expect(run.delivered.map((record) => record.kinesis.sequenceNumber)).toEqual(sequences);
    expect(run.deadLettered).toEqual([]);
  });
});
