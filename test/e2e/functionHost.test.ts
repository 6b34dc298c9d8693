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
  roleName: 'iam-echo-dev',
  inVpc: false,
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

describe("a function host's environment variables", () => {
  it("are the rendered variables, the pipeline's and Lambda's own, nothing of the shell that started it", async () => {
    const shell = { LOCAL_SHELL_ONLY: process.env.LOCAL_SHELL_ONLY, DETECTOR_CONFIG: process.env.DETECTOR_CONFIG };
    process.env.LOCAL_SHELL_ONLY = 'from the shell';
    process.env.DETECTOR_CONFIG = 'from the shell';
    const spec: FunctionSpec = {
      ...echoSpec(),
      variables: { READINGS_TABLE: 'dynamodb-readings-dev' },
      zip: createZip([{ name: 'index.js', data: Buffer.from('exports.handler = async () => ({ batchItemFailures: [], env: process.env });\n') }]),
    };
    const envHost = new FunctionHost(spec, { accountId: '111122223333', region: 'sa-east-1', environment: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1' }, logDirectory: folder, repositoryRoot: folder });
    try {
      const result = await envHost.invoke(emptyEvent);
      const env = result.ok ? (result.response as unknown as { env: Record<string, string> }).env : {};
      expect(env).toEqual({
        READINGS_TABLE: 'dynamodb-readings-dev',
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1',
        TZ: ':UTC',
        LANG: 'en_US.UTF-8',
        PATH: '/usr/local/bin:/usr/bin/:/bin:/opt/bin',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_REGION: 'sa-east-1',
        AWS_DEFAULT_REGION: 'sa-east-1',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_LAMBDA_FUNCTION_NAME: 'lambda-echo-dev',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/lambda-echo-dev',
        _HANDLER: 'index.handler',
        LAMBDA_TASK_ROOT: '/var/task',
        LAMBDA_RUNTIME_DIR: '/var/runtime',
      });
    } finally {
      await envHost.stop();
      for (const [name, value] of Object.entries(shell)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  }, 30_000);
});
