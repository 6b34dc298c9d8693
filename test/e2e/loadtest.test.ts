import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { makeCertificates } from '../../scripts/lib/fleet/makeCertificates';

const REPOSITORY = resolve(__dirname, '../..');
const LAST_LINE =
  /^loadtest: (\d+) devices, (\d+) connected, (\d+) readings acked; stored (\d+), quarantined (\d+), dead-lettered (\d+); missing (\d+), duplicates (\d+); alerts (\d+) for (\d+) faulty assets, (\d+) on healthy; e2e p50 (\d+|-) ms, p99 (\d+|-) ms$/;

interface Run {
  readonly code: number;
  readonly stderr: string;
  readonly last: RegExpExecArray;
  /** The temporary folder of its plan and ledger (its `plan and ledger in` line). */
  readonly work: string;
}

/**
 * How long a run may take before it is killed. The longest case takes about 30 s on an idle 2-CPU machine and
 * reached 90 s on a busy one; five times that still bounds the file's five runs well inside the suite's budget.
 */
const RUN_BOUND_MS = 300_000;
/** A test's own limit: past its run's bound, so a slow run fails with the run's output, not a bare jest timeout. */
const TEST_TIMEOUT_MS = RUN_BOUND_MS + 60_000;

/** `npm run loadtest` as a user runs it: the pipeline in one process, the fleet in a child. */
function loadtest(args: readonly string[], certs = '.local/test-certs', timeout = RUN_BOUND_MS): Promise<Run> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/loadtest.ts', '--logs', '.local/test-logs', '--certs', certs, ...args],
      { cwd: REPOSITORY, maxBuffer: 64 * 1024 * 1024, timeout },
      (error, stdout, stderr) => {
        const lines = stdout.trim().split('\n');
        const last = LAST_LINE.exec(lines[lines.length - 1] ?? '');
        if (!last) {
          const ended = error === null ? 'exit 0' : error.killed === true ? `killed (${error.signal ?? 'signal'}) at its ${timeout / 1000} s bound` : `exit ${error.code ?? error.signal ?? '?'}`;
          fail(new Error(`no loadtest line (${ended}):\n${stdout}\n${stderr.slice(-4000)}`));
          return;
        }
        const work = /^loadtest: plan and ledger in (\S+) \(removed unless the run fails\)$/m.exec(stderr)?.[1] ?? '';
        done({ code: typeof error?.code === 'number' ? error.code : 0, stderr, last, work });
      },
    );
  });
}

function expectAccounted(run: Run, devices: number): void {
  const [, n, connected, acked, stored, quarantined, deadLettered, missing, duplicates, alerts, faulty, onHealthy] = run.last.map(Number);
  expect({ n, connected }).toEqual({ n: devices, connected: devices });
  expect(acked).toBeGreaterThan(0);
  // Every acknowledged reading is accounted for, nothing twice, no false alarm: the exit code says the same.
  expect({ missing, duplicates, onHealthy }).toEqual({ missing: 0, duplicates: 0, onHealthy: 0 });
  expect((stored ?? 0) + (quarantined ?? 0) + (deadLettered ?? 0)).toBe(acked);
  // The skewed asset's readings (10 min ahead) are quarantined with their reason.
  expect(quarantined).toBeGreaterThan(0);
  expect(run.stderr).toContain('TIMESTAMP_OUT_OF_RANGE');
  // Faults the detector can see are alerted (the screening made them detectable within the run).
  expect(faulty).toBe(4);
  expect(alerts).toBeGreaterThanOrEqual(3);
  expect(run.last[12]).toMatch(/^\d+$/);
  expect(run.stderr).not.toContain('loadtest: FAILED');
  expect(run.code).toBe(0);
  // A passing run leaves no temporary folder behind.
  expect(run.work).toMatch(/loadtest-/);
  expect(existsSync(run.work)).toBe(false);
}

describe('npm run loadtest (the plant in a box, end to end)', () => {
  jest.setTimeout(TEST_TIMEOUT_MS);

  it('accounts for every acknowledged reading of 50 devices for 15 s, the processor meeting them before the run', async () => {
    const run = await loadtest(['--devices', '50', '--seconds', '15']);
    expectAccounted(run, 50);
    expect(run.stderr).toMatch(/loadtest: first sight: the processor met 50\/50 assets [\d.]+ s after their first messages were acked; devices start the run\n/);
    expect(run.stderr).toMatch(/processor met every asset before the run \(first messages e2e p50 \d+ ms, p99 \d+ ms\); e2e p50\/p99 by publish time: 0-10 s \d+\/\d+ ms, 10-20 s \d+\/\d+ ms\n/);
    // The fleet disconnects once the processor has taken the run: its disconnects do not hold up the last readings.
    const ended = run.stderr.indexOf('simulate: publishing ended, 50/50 devices connected; holding until a line on stdin\n');
    const released = run.stderr.search(/loadtest: the run's messages processed [\d.]+ s after the devices stopped; devices disconnect\n/);
    expect(ended).toBeGreaterThan(0);
    expect(released).toBeGreaterThan(ended);
    const stages = /loadtest: e2e stages of the slowest 1% \(median ms to the stream\/in the stream\/in the invocation\): the run (\d+)\/(\d+)\/(\d+); 0-10 s \d+\/\d+\/\d+, 10-20 s \d+\/\d+\/\d+\n/.exec(run.stderr);
    expect(stages).not.toBeNull();
    // The run's tail is slower than no time at all somewhere on its way.
    expect(Number(stages?.[1]) + Number(stages?.[2]) + Number(stages?.[3])).toBeGreaterThan(0);
    // Every acknowledged message's record was taken by the processor after its publish.
    expect(run.stderr).not.toContain('acknowledged messages without a processor batch');
  });

  it('meets them inside the run with --go-live, and with --fan-out reads the processor\'s shard through its own consumer', async () => {
    const run = await loadtest(['--devices', '20', '--seconds', '8', '--faults', 'step,garbage', '--go-live', '--fan-out']);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('first sight:');
    expect(run.stderr).toMatch(/processor met every asset [\d.]+ s into the run/);
    expect(run.stderr).toMatch(/loadtest: --fan-out: rendered config\/dev\.yaml with capacity\.processorFanOut and capacity\.processorConsumerArn \(the processor's mapping reads through its registered consumer\) in [\d.]+ s\n/);
    // The storer and Firehose share the shard's reads; the processor's consumer takes none of them.
    expect(run.stderr).toMatch(/loadtest: kinesis reads: \d+ GetRecords over 1 shards \(\d+ of them Firehose's, counted, not made: it is not emulated\), \d+ waited for the shard's 5 reads\/s; outside the limit, through an enhanced fan-out consumer: esm-processor-fanout-dev \(consumer kinesis-processor-dev\)\n/);
  });

  it('fails, saying why, when no device connected (each holds another thing\'s certificate, which the device policy refuses), and keeps its folder', async () => {
    const certs = mkdtempSync(join(tmpdir(), 'loadtest-swapped-'));
    let work = '';
    try {
      const things = Array.from({ length: 10 }, (_, i) => `gw-${String(i + 1).padStart(5, '0')}`);
      makeCertificates(certs, things);
      // Valid certificates of this CA, but gw-00001 holds gw-00002's identity and so on round: client id != thing.
      const identities = things.map((thing) => ['pem', 'key'].map((suffix) => readFileSync(join(certs, `${thing}.${suffix}`))));
      things.forEach((thing, i) => ['pem', 'key'].forEach((suffix, j) => writeFileSync(join(certs, `${thing}.${suffix}`), identities[(i + 1) % things.length]![j]!)));
      // The fleet waits for its connections (60 s unless told) before it publishes (nothing, here).
      const run = await loadtest(['--devices', '10', '--seconds', '5', '--faults', '', '--connect-wait', '5'], certs);
      work = run.work;
      expect(run.last[0]).toBe(
        'loadtest: 10 devices, 0 connected, 0 readings acked; stored 0, quarantined 0, dead-lettered 0; missing 0, duplicates 0; alerts 0 for 0 faulty assets, 0 on healthy; e2e p50 - ms, p99 - ms',
      );
      expect(run.stderr.trim().split('\n').pop()).toBe(
        `loadtest: FAILED: the fleet (npm run simulate) exited 1; 0 of 10 devices connected; no reading was acknowledged; plan and ledger kept in ${work}`,
      );
      expect(run.code).toBe(1);
      expect(existsSync(join(work, 'plan.json'))).toBe(true);
    } finally {
      for (const folder of [certs, work]) if (folder !== '') rmSync(folder, { recursive: true, force: true });
    }
  });

  it('removes its folder and stops the fleet when interrupted', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/loadtest.ts', '--logs', '.local/test-logs', '--certs', '.local/test-certs', '--devices', '2', '--seconds', '60', '--faults', ''], {
      cwd: REPOSITORY,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    // Interrupted once the fleet child runs: it names the folder in its command line (--plan <folder>/plan.json).
    await new Promise<void>((done) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        if (/\nsimulate: /.test(stderr)) done();
      }),
    );
    const work = /^loadtest: plan and ledger in (\S+) /m.exec(stderr)?.[1] ?? '';
    expect(existsSync(join(work, 'plan.json'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toContain('loadtest: interrupted (SIGTERM); plan and ledger removed\n');
    expect(existsSync(work)).toBe(false);
    const fleetRuns = (): boolean =>
      readdirSync('/proc')
        .filter((pid) => /^\d+$/.test(pid))
        .some((pid) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(work);
          } catch {
            return false;
          }
        });
    for (let waited = 0; waited < 15_000 && fleetRuns(); waited += 250) await new Promise((done) => setTimeout(done, 250));
    expect(fleetRuns()).toBe(false);
  }, 60_000);

  it('does so under chaos: a worker killed mid-batch, DynamoDB throttled, 10% of connections dropped', async () => {
    const run = await loadtest(['--devices', '50', '--seconds', '15', '--chaos']);
    expectAccounted(run, 50);
    expect(run.stderr).toMatch(/killed lambda-processor-dev's worker mid-batch/);
    expect(run.stderr).toMatch(/dropped 5 device connections/);
    expect(run.stderr).toMatch(/throttling 10% of DynamoDB requests/);
  });

  it('does so on five shards whose batches move between execution environments: the processor restores what another one judged', async () => {
    const log = resolve(REPOSITORY, '.local/test-logs/lambda-processor-prod.log');
    // A run replaces the log of the run before.
    mkdirSync(dirname(log), { recursive: true });
    writeFileSync(log, 'an earlier run\n');
    const run = await loadtest(['--env', 'prod', '--devices', '50', '--seconds', '15', '--chaos']);
    expectAccounted(run, 50);
    const moved = /lambda-processor-prod: .*, (\d+) batches in another environment than their shard's previous batch/.exec(run.stderr);
    expect(Number(moved?.[1])).toBeGreaterThan(0);
    // The processor saw those moves through the shard leases (its log of this run).
    const written = readFileSync(log, 'utf8');
    expect(written).toContain('shard processed by another container since');
    expect(written).not.toContain('an earlier run');
  });
});
