import type { KinesisStreamEvent } from 'aws-lambda';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createZip } from '../../charts/lib/createZip';
import { FunctionHost } from '../../scripts/lib/local/FunctionHost';
import type { FunctionSpec } from '../../scripts/lib/local/LocalManifests';

/** A function whose every invocation succeeds and reports how many records it got. */
const echoSpec = (): FunctionSpec => ({
  objectName: 'lambda-echo-dev',
  name: 'lambda-echo-dev',
  handler: 'index.handler',
  timeoutSeconds: 5,
  memoryMb: 128,
  variables: {},
  zip: createZip([{ name: 'index.js', data: Buffer.from('exports.handler = async (event) => ({ batchItemFailures: [], records: event.Records.length });\n') }]),
});

const emptyEvent: KinesisStreamEvent = { Records: [] };

let folder: string;
let host: FunctionHost;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'function-host-'));
  host = new FunctionHost(echoSpec(), { accountId: '111122223333', region: 'sa-east-1', environment: {}, logDirectory: folder, repositoryRoot: folder });
});
afterEach(async () => {
  await host.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe("a function host's cold starts", () => {
  it('records the init of each new environment, not of an invocation that finds one warm', async () => {
    expect((await host.invoke(emptyEvent, 'shard-0')).ok).toBe(true);
    expect((await host.invoke(emptyEvent, 'shard-0')).ok).toBe(true);
    expect(host.coldStarts).toBe(1);
    expect(host.initDurationsMs).toHaveLength(1);

    await host.kill();
    expect((await host.invoke(emptyEvent, 'shard-0')).ok).toBe(true);
    expect(host.coldStarts).toBe(2);
    expect(host.initDurationsMs).toHaveLength(2);
    for (const initMs of host.initDurationsMs) expect(initMs).toBeGreaterThan(0);
  }, 30_000);
});
