import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

const REPOSITORY = resolve(__dirname, '../..');
const LAST_LINE =
  /^loadtest: (\d+) devices, (\d+) connected, (\d+) readings acked; stored (\d+), quarantined (\d+), dead-lettered (\d+); missing (\d+), duplicates (\d+); alerts (\d+) for (\d+) faulty assets, (\d+) on healthy; e2e p50 (\d+) ms, p99 (\d+) ms$/;

interface Run {
  readonly code: number;
  readonly stderr: string;
  readonly last: RegExpExecArray;
}

/** `npm run loadtest` as a user runs it: the pipeline in one process, the fleet in a child. */
function loadtest(args: readonly string[]): Promise<Run> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/loadtest.ts', '--logs', '.local/test-logs', '--certs', '.local/test-certs', ...args],
      { cwd: REPOSITORY, maxBuffer: 64 * 1024 * 1024, timeout: 90_000 },
      (error, stdout, stderr) => {
        const lines = stdout.trim().split('\n');
        const last = LAST_LINE.exec(lines[lines.length - 1] ?? '');
        if (!last) {
          fail(new Error(`no loadtest line (exit ${error?.code ?? 0}):\n${stdout}\n${stderr.slice(-4000)}`));
          return;
        }
        done({ code: typeof error?.code === 'number' ? error.code : 0, stderr, last });
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
  expect(run.code).toBe(0);
}

describe('npm run loadtest (the plant in a box, end to end)', () => {
  jest.setTimeout(120_000);

  it('accounts for every acknowledged reading of 50 devices for 15 s', async () => {
    expectAccounted(await loadtest(['--devices', '50', '--seconds', '15']), 50);
  });

  it('does so under chaos: a worker killed mid-batch, DynamoDB throttled, 10% of connections dropped', async () => {
    const run = await loadtest(['--devices', '50', '--seconds', '15', '--chaos']);
    expectAccounted(run, 50);
    expect(run.stderr).toMatch(/killed lambda-processor-dev's worker mid-batch/);
    expect(run.stderr).toMatch(/dropped 5 device connections/);
    expect(run.stderr).toMatch(/throttling 10% of DynamoDB requests/);
  });

  it('does so on five shards whose batches move between execution environments: the processor restores what another one judged', async () => {
    const log = resolve(REPOSITORY, '.local/test-logs/lambda-processor-prod.log');
    const before = existsSync(log) ? statSync(log).size : 0;
    const run = await loadtest(['--env', 'prod', '--devices', '50', '--seconds', '15', '--chaos']);
    expectAccounted(run, 50);
    const moved = /lambda-processor-prod: .*, (\d+) batches in another environment than their shard's previous batch/.exec(run.stderr);
    expect(Number(moved?.[1])).toBeGreaterThan(0);
    // The processor saw those moves through the shard leases (its log since the run started).
    expect(readFileSync(log).subarray(before).toString('utf8')).toContain('shard processed by another container since');
  });
});
