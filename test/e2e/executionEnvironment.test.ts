import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createZip } from '../../charts/lib/createZip';
import { FunctionHost } from '../../scripts/lib/local/FunctionHost';
import type { FunctionSpec } from '../../scripts/lib/local/LocalManifests';

/** A function of `memoryMb` whose index.js is `code`. */
const specOf = (code: string, memoryMb = 128): FunctionSpec => ({
  objectName: 'lambda-limits-dev',
  name: 'lambda-limits-dev',
  handler: 'index.handler',
  timeoutSeconds: 5,
  memoryMb,
  variables: {},
  roleName: 'iam-limits-dev',
  inVpc: false,
  zip: createZip([{ name: 'index.js', data: Buffer.from(code) }]),
});

const emptyEvent: KinesisStreamEvent = { Records: [] };
const oneRecord: KinesisStreamEvent = { Records: [{ eventSource: 'aws:kinesis' } as KinesisStreamRecord] };

let folder: string;
let host: FunctionHost | undefined;
const hostOf = (spec: FunctionSpec): FunctionHost => {
  host = new FunctionHost(spec, { accountId: '111122223333', region: 'sa-east-1', environment: {}, logDirectory: folder, repositoryRoot: folder });
  return host;
};
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'execution-environment-'));
});
afterEach(async () => {
  await host?.stop();
  host = undefined;
  rmSync(folder, { recursive: true, force: true });
});

describe("a function's memory", () => {
  // Keeps about 300 MB of small arrays reachable, then answers: more than a 128 MB function has.
  const hungry = 'const kept = [];\nexports.handler = async () => {\n  for (let i = 0; i < 3_000; i += 1) kept.push(new Array(12_500).fill(i));\n  return { batchItemFailures: [] };\n};\n';

  it('fails an invocation that fills the heap of the rendered memory with Runtime.OutOfMemory, and discards the environment', async () => {
    const functionHost = hostOf(specOf(hungry, 128));
    expect(await functionHost.invoke(emptyEvent, 'shard-0')).toEqual({
      ok: false,
      error: 'Runtime.OutOfMemory: the environment ran out of its 128 MB (Worker terminated due to reaching memory limit: JS heap out of memory); it is discarded',
      durationMs: expect.any(Number),
    });
    await functionHost.invoke(emptyEvent, 'shard-0');
    expect(functionHost.coldStarts).toBe(2);
  }, 30_000);

  it('lets the same allocation through a function with the memory for it', async () => {
    const functionHost = hostOf(specOf(hungry, 1024));
    expect(await functionHost.invoke(emptyEvent, 'shard-0')).toEqual({ ok: true, response: { batchItemFailures: [] }, durationMs: expect.any(Number) });
  }, 30_000);
});

describe("a function's response", () => {
  it('reaches the caller as its JSON: a date as its string, an undefined field gone, nothing returned as undefined', async () => {
    const functionHost = hostOf(specOf('exports.handler = async (event) => event.Records.length === 0 ? undefined : { batchItemFailures: [], at: new Date(0), gone: undefined };\n'));
    const answered = await functionHost.invoke(oneRecord, 'shard-0');
    expect(answered.ok && answered.response).toStrictEqual({ batchItemFailures: [], at: '1970-01-01T00:00:00.000Z' });
    expect(await functionHost.invoke(emptyEvent, 'shard-0')).toEqual({ ok: true, response: undefined, durationMs: expect.any(Number) });
  }, 30_000);

  it("fails an invocation whose response passes Lambda's limit with Function.ResponseSizeTooLarge, keeping the environment", async () => {
    // A string's JSON adds its two quotes: 6,291,554 characters make exactly the limit, one more is over it.
    const functionHost = hostOf(specOf("exports.handler = async (event) => 'x'.repeat(6_291_554 + event.Records.length);\n"));
    const atLimit = await functionHost.invoke(emptyEvent, 'shard-0');
    expect(atLimit.ok && (atLimit.response as unknown as string).length).toBe(6_291_554);
    expect(await functionHost.invoke(oneRecord, 'shard-0')).toEqual({
      ok: false,
      error: 'Function.ResponseSizeTooLarge: Response payload size (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes).',
      durationMs: expect.any(Number),
    });
    expect(functionHost.coldStarts).toBe(1);
  }, 30_000);
});
