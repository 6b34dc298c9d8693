import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FAULT_KINDS } from '../../scripts/lib/fleet/constants';
import { type LoadtestOutcome } from '../../scripts/lib/local/loadtestVerdict';
import { loadtestFailures } from '../../scripts/lib/local/loadtestFailures';
import { loadtestLastLine } from '../../scripts/lib/local/loadtestLastLine';
import { LOADTEST_FLAGS, LOADTEST_USAGE, parseLoadtestArgs } from '../../scripts/lib/local/parseLoadtestArgs';
import { LOCAL_FLAGS, LOCAL_USAGE, parseLocalArgs } from '../../scripts/lib/local/parseLocalArgs';
import { HEALTHY_PEAK_SHARE, planLoadtest } from '../../scripts/lib/local/planLoadtest';
import { faultDeviceIndex } from '../../scripts/lib/local/faultDeviceIndex';
import { samplesPerMessage } from '../../scripts/lib/fleet/samplesPerMessage';
import { screenAsset } from '../../scripts/lib/fleet/screenAsset';
import { readManifests } from '../../scripts/lib/local/readManifests';
import { refuseFaultsBeyondDevices } from '../../scripts/lib/local/refuseFaultsBeyondDevices';
import { liveLocalEndpoints } from '../../scripts/lib/liveLocalEndpoints';
import { localEndpointsPath } from '../../scripts/lib/localEndpointsPath';
import { removeLocalEndpoints } from '../../scripts/lib/removeLocalEndpoints';
import { writeLocalEndpoints } from '../../scripts/lib/writeLocalEndpoints';

const REPOSITORY = resolve(__dirname, '../..');

/** A script of scripts/ as `npm run <script>` runs it. */
function run(script: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', join('scripts', script), ...args], { cwd: REPOSITORY, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr });
    });
  });
}

/** A pid that no process has any more. */
const gonePid = (): number => spawnSync(process.execPath, ['-e', '0']).pid ?? 0;

describe('local and loadtest command lines', () => {
  it('answer --help with the usage on stdout, exit 0', async () => {
    expect(await run('local.ts', ['--help'])).toEqual({ code: 0, stdout: `${LOCAL_USAGE}\n`, stderr: '' });
    expect(await run('loadtest.ts', ['--devices', '5', '-h'])).toEqual({ code: 0, stdout: `${LOADTEST_USAGE}\n`, stderr: '' });
  });

  it('name every flag they take in their usage', () => {
    for (const flag of Object.keys(LOCAL_FLAGS)) expect(LOCAL_USAGE).toContain(`[--${flag} `);
    for (const flag of Object.keys(LOADTEST_FLAGS)) expect(LOADTEST_USAGE).toMatch(new RegExp(`\\[?--${flag}[ \\]]`));
    expect(LOADTEST_USAGE).toContain('[--placement random|sticky] [--certs .local/loadtest-certs] [--logs .local/logs]');
  });

  it('refuse an environment without rendered manifests in one line with one prefix, exit 2, naming the rendered ones', async () => {
    const manifests = join(REPOSITORY, 'manifests', 'nope');
    const line = `--env nope: no rendered manifests in ${manifests}; rendered environments: dev, prod (npm run synth renders config/<env>.yaml)\n`;
    expect(await run('local.ts', ['--env', 'nope'])).toEqual({ code: 2, stdout: '', stderr: `local: ${line}` });
    expect(await run('loadtest.ts', ['--devices', '20', '--seconds', '10', '--env', 'nope'])).toEqual({ code: 2, stdout: '', stderr: `loadtest: ${line}` });
    expect(await run('loadtest.ts', ['--devices', '20', '--seconds', '10', '--env', 'nope', '--fan-out'])).toEqual({ code: 2, stdout: '', stderr: `loadtest: ${line}` });
    expect(() => parseLoadtestArgs(['--devices', '20', '--seconds', '10', '--env', '../dev'])).toThrow('--env must name an environment (a lower-case letter, then lower-case letters, digits and hyphens), got "../dev"');
  });

  it('say that the default faults need eight devices, and how to pass fewer', () => {
    const plan = (args: readonly string[]) => (): void => {
      const options = parseLoadtestArgs(['--seconds', '10', ...args]);
      if (options !== 'help') refuseFaultsBeyondDevices(options);
    };
    expect(plan(['--devices', '3'])).toThrow(
      new Error('--devices 3: the default faults (one asset for each of the 8 kinds) need at least 8 devices; name at most 3 with --faults (e.g. --faults step,drift) or pass --faults "" for none'),
    );
    expect(plan(['--devices', '2', '--faults', 'step,spike,skew'])).toThrow(
      new Error('--faults step,spike,skew: 3 faults need at least 3 devices (one asset per fault), got --devices 2'),
    );
    expect(plan(['--devices', '3', '--faults', ''])).not.toThrow();
    expect(parseLoadtestArgs(['--devices', '3', '--seconds', '10', '--faults', ''])).toMatchObject({ faults: [], faultsNamed: true });
    expect(parseLocalArgs([])).toMatchObject({ environment: 'dev' });
  });

  it('name a flag with a wrong value of its own, not the default faults, however few the devices', async () => {
    const wrong: Array<[string[], string]> = [
      [['--seconds', '0'], '--seconds must be a number from 5 to 3600, got "0"'],
      [['--seconds', '10', '--placement', 'stick'], '--placement must be one of random, sticky, got "stick"'],
      [['--seconds', '10', '--rate', '0'], '--rate must be a number from 0.01 to 100, got "0"'],
      [['--seconds', '10', '--env', '../dev'], '--env must name an environment (a lower-case letter, then lower-case letters, digits and hyphens), got "../dev"'],
    ];
    for (const devices of ['5', '8']) {
      for (const [args, message] of wrong) expect(() => parseLoadtestArgs(['--devices', devices, ...args])).toThrow(new Error(message));
    }
    // The environment's own check needs its rendered manifests, so the command line comes before the fault plan.
    const line = `loadtest: --env nope: no rendered manifests in ${join(REPOSITORY, 'manifests', 'nope')}; rendered environments: dev, prod (npm run synth renders config/<env>.yaml)\n`;
    expect(await run('loadtest.ts', ['--devices', '5', '--seconds', '10', '--env', 'nope'])).toEqual({ code: 2, stdout: '', stderr: line });
    expect(await run('loadtest.ts', ['--devices', '5', '--seconds', '0'])).toEqual({ code: 2, stdout: '', stderr: 'loadtest: --seconds must be a number from 5 to 3600, got "0"\n' });
    expect(await run('loadtest.ts', ['--devices', '5', '--seconds', '10'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'loadtest: --devices 5: the default faults (one asset for each of the 8 kinds) need at least 8 devices; name at most 5 with --faults (e.g. --faults step,drift) or pass --faults "" for none\n',
    });
  });
});

describe('the load test verdict', () => {
  const passed: LoadtestOutcome = {
    devices: 50,
    connected: 50,
    readingsAcked: 33588,
    stored: 33300,
    quarantined: 288,
    deadLettered: 0,
    missing: 0,
    duplicates: 0,
    alertsOnFaulty: 4,
    faultyAssets: 4,
    alertsOnHealthy: 0,
    e2eP50Ms: 139.4,
    e2eP99Ms: 410.6,
    fleetExitCode: 0,
  };

  it('passes a run that accounted for every reading of a fleet that connected', () => {
    expect(loadtestFailures(passed)).toEqual([]);
    expect(loadtestLastLine(passed)).toBe(
      'loadtest: 50 devices, 50 connected, 33588 readings acked; stored 33300, quarantined 288, dead-lettered 0; missing 0, duplicates 0; alerts 4 for 4 faulty assets, 0 on healthy; e2e p50 139 ms, p99 411 ms',
    );
  });

  it('fails a fleet that never connected (nothing missing proves nothing), and prints - for a latency without a sample', () => {
    const never = { ...passed, devices: 10, connected: 0, readingsAcked: 0, stored: 0, quarantined: 0, alertsOnFaulty: 0, faultyAssets: 0, e2eP50Ms: Number.NaN, e2eP99Ms: Number.NaN, fleetExitCode: 1 };
    expect(loadtestFailures(never)).toEqual(['the fleet (npm run simulate) exited 1', '0 of 10 devices connected', 'no reading was acknowledged']);
    expect(loadtestLastLine(never)).toBe(
      'loadtest: 10 devices, 0 connected, 0 readings acked; stored 0, quarantined 0, dead-lettered 0; missing 0, duplicates 0; alerts 0 for 0 faulty assets, 0 on healthy; e2e p50 - ms, p99 - ms',
    );
    expect(loadtestFailures({ ...passed, connected: 49 })).toEqual(['49 of 50 devices connected']);
    expect(loadtestFailures({ ...passed, missing: 3, duplicates: 2, alertsOnHealthy: 1 })).toEqual([
      '3 acknowledged readings missing',
      '2 readings stored twice',
      '1 alerts on healthy assets',
    ]);
  });
});

describe('the load test plan', () => {
  const manifests = readManifests(join(REPOSITORY, 'manifests', 'dev'), 'dev');
  const settings = JSON.parse(manifests.functions.find((f) => f.variables.DETECTOR_CONFIG !== undefined)?.variables.DETECTOR_CONFIG ?? '{}') as Record<string, unknown>;
  const plan = (devices: number): ReturnType<typeof planLoadtest> =>
    planLoadtest({ devices, seconds: 15, rate: 5, readingsPerMessage: 8, faults: FAULT_KINDS, warmupSamples: undefined }, ['line-a', 'line-b'], settings);

  it.each([8, 10, 20, 50, 100])('puts the faults of %i devices on pumps and motors in turn, one asset each, every detectable one screened detectable', (devices) => {
    const { fleet, faultyAssets, undetectable } = plan(devices);
    expect(fleet.faults.map((f) => f.assetId.split('-')[0])).toEqual(['pump', 'motor', 'pump', 'motor', 'pump', 'motor', 'pump', 'motor']);
    expect(new Set(fleet.faults.map((f) => f.assetId)).size).toBe(FAULT_KINDS.length);
    expect(faultyAssets.size).toBe(4);
    expect(undetectable).toEqual([]);
  });

  it('gives every device a seed whose score stays under the margin before its fault, so a restore that skips samples cannot tip it over', () => {
    const { fleet, warmupSamples } = plan(50);
    const withWarmup = { ...settings, warmupSamples };
    for (const device of fleet.devices) {
      const own = fleet.faults.filter((f) => f.assetId === device.assetId);
      const screening = screenAsset(device.assetType, device.seed, own, withWarmup, { rate: 5, samplesPerMessage: samplesPerMessage(device.assetType, 8), messages: 15 * 5 });
      expect(screening.peakShare).toBeGreaterThan(0);
      expect(screening.peakShare).toBeLessThan(HEALTHY_PEAK_SHARE);
    }
  });

  it('spreads them over the fleet: the middle of each eighth, or its neighbour of the other type', () => {
    expect(plan(50).fleet.faults.map((f) => `${f.assetId}:${f.kind}`)).toEqual([
      'pump-00005:step',
      'motor-00010:drift',
      'pump-00017:spike',
      'motor-00022:stuck',
      'pump-00029:bad',
      'motor-00034:garbage',
      'pump-00041:oversized',
      'motor-00046:skew',
    ]);
    for (const devices of [500, 2000, 2001]) {
      const indices = FAULT_KINDS.map((_, i) => faultDeviceIndex(i, FAULT_KINDS.length, devices));
      expect(indices.map((index) => index % 2)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
      indices.forEach((index, i) => expect(Math.floor(index / Math.floor(devices / 8))).toBe(i));
    }
  });
});

describe('.local/<env>/endpoints.json: one local pipeline per environment', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'endpoints-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is removed only by the process it names', () => {
    const path = localEndpointsPath('dev', root);
    writeLocalEndpoints({ environment: 'dev', dynamodb: 'http://127.0.0.1:1', pid: process.ppid }, root);
    expect(removeLocalEndpoints('dev', root)).toBe(false);
    expect(existsSync(path)).toBe(true);
    writeLocalEndpoints({ environment: 'dev', dynamodb: 'http://127.0.0.1:1', pid: process.pid }, root);
    expect(removeLocalEndpoints('dev', root)).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(removeLocalEndpoints('dev', root)).toBe(false);
  });

  it('names a live pipeline only when another process that runs wrote it', () => {
    expect(liveLocalEndpoints('dev', root)).toBeUndefined();
    writeLocalEndpoints({ environment: 'dev', dynamodb: 'http://127.0.0.1:1', pid: gonePid(), broker: 'mqtts://127.0.0.1:8883' }, root);
    expect(liveLocalEndpoints('dev', root)).toBeUndefined();
    writeLocalEndpoints({ environment: 'dev', dynamodb: 'http://127.0.0.1:1', pid: process.pid }, root);
    expect(liveLocalEndpoints('dev', root)).toBeUndefined();
    writeLocalEndpoints({ environment: 'dev', dynamodb: 'http://127.0.0.1:1', pid: process.ppid, broker: 'mqtts://127.0.0.1:8883' }, root);
    expect(liveLocalEndpoints('dev', root)).toEqual({ environment: 'dev', dynamodb: 'http://127.0.0.1:1', pid: process.ppid, broker: 'mqtts://127.0.0.1:8883' });
    mkdirSync(join(root, '.local', 'prod'), { recursive: true });
    writeFileSync(localEndpointsPath('prod', root), 'not json');
    expect(liveLocalEndpoints('prod', root)).toBeUndefined();
  });

  it('`npm run local` says what the pipeline did when it stops', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'local-totals-'));
    try {
      const result = await run('local.ts', ['--env', 'prod', '--port', '0', '--seconds', '1', '--certs', join(scratch, 'certs'), '--logs', join(scratch, 'logs')]);
      expect(result.code).toBe(0);
      const lines = result.stderr.split('\n');
      const from = lines.indexOf('local: stopping; what the pipeline did:');
      expect(from).toBeGreaterThan(0);
      expect(lines.slice(from + 1).filter((line) => line !== '')).toEqual([
        expect.stringMatching(/^local: dynamodb: .*; throttled 0$/),
        'local: broker: 0 connects, 0 disconnects, 0 messages (0 to the stream, 0 ParseError (not JSON: dropped as AWS does), 0 oversized refused, 0 error actions, 0 publishes denied)',
        expect.stringMatching(/^local: lambda-processor-prod: 0 invocations, 0 records delivered, /),
        expect.stringMatching(/^local: lambda-storer-prod: 0 invocations, 0 records delivered, /),
        // Two mappings polling five idle shards share each shard's 5 reads a second with Firehose's, which are counted.
        expect.stringMatching(/^local: kinesis reads: \d+ GetRecords over 5 shards \([1-9]\d* of them Firehose's, counted, not made: it is not emulated\), \d+ waited for the shard's 5 reads\/s$/),
        'local: latency: status p50 - p99 -; alert p50 - p99 -',
      ]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 90_000);

  it('a second `npm run local` of a running environment refuses to start in one line naming the pid and its ports, exit 2, and leaves the file', async () => {
    // prod, so that a `npm run local` of dev on this machine is not disturbed; the file is put back as it was.
    const path = localEndpointsPath('prod', REPOSITORY);
    const saved = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    const running = { environment: 'prod', dynamodb: 'http://127.0.0.1:40123', pid: process.pid, broker: 'mqtts://127.0.0.1:8884' };
    try {
      writeLocalEndpoints(running, REPOSITORY);
      expect(await run('local.ts', ['--env', 'prod', '--port', '0', '--seconds', '1'])).toEqual({
        code: 2,
        stdout: '',
        stderr:
          `local: --env prod: a local pipeline of prod is already running (pid ${process.pid}, broker mqtts://127.0.0.1:8884, DynamoDB http://127.0.0.1:40123, per ${path}); ` +
          `stop it first, or delete that file if pid ${process.pid} is not a local pipeline\n`,
      });
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(running);
    } finally {
      if (saved === undefined) removeLocalEndpoints('prod', REPOSITORY);
      else writeFileSync(path, saved);
    }
  });
});
