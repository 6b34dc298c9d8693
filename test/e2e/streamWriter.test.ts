import { StreamWriter } from '../../scripts/lib/local/StreamWriter';
import { startKinesalite, TestStream, type Emulator } from '../helpers/emulators';

let kinesalite: Emulator;
beforeAll(async () => {
  kinesalite = await startKinesalite();
});
afterAll(async () => {
  await kinesalite.stop();
});

describe("the rule engine's stream writer", () => {
  it('puts a backlog larger than one PutRecords call in arrival order, every record acknowledged once', async () => {
    const stream = new TestStream(kinesalite.endpoint, 'kinesis-writer-backlog');
    await stream.create();
    const writer = new StreamWriter(kinesalite.endpoint, stream.name);
    try {
      // 1,201 records: two full PutRecords calls of 500 and a third of 201, all queued before the first flush.
      const payloads = Array.from({ length: 1201 }, (_, index) => `reading-${index}`);
      const shards = await Promise.all(payloads.map((payload) => writer.put(Buffer.from(payload), 'pump-00001')));

      expect(new Set(shards).size).toBe(1);
      expect(writer.queued).toBe(0);
      const stored = await stream.read();
      expect(stored.map((record) => Buffer.from(record.Data ?? new Uint8Array()).toString())).toEqual(payloads);
    } finally {
      writer.close();
    }
  }, 30_000);
});
