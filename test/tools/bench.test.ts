import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { DEFAULT_BENCH_RUNS, parseBenchArgs } from '../../scripts/lib/benchArgs';
import { functionReport, type RunResult } from '../../scripts/lib/benchReport';
import { median } from '../../scripts/lib/median';
import { type BenchTarget } from '../../scripts/lib/benchTargets';
import { targetCell } from '../../scripts/lib/targetCell';
import { targetMet } from '../../scripts/lib/targetMet';
import { targetSummary } from '../../scripts/lib/targetSummary';
import { ReplayUsageError } from '../../scripts/lib/replayErrors';

const PROJECT_ROOT = resolve(__dirname, '../..');

describe('bench arguments', () => {
  it('runs 5 times without arguments and takes --runs N', () => {
    expect(DEFAULT_BENCH_RUNS).toBe(5);
    expect(parseBenchArgs([])).toEqual({ runs: 5 });
    expect(parseBenchArgs(['--runs', '1'])).toEqual({ runs: 1 });
    expect(parseBenchArgs(['--runs=12'])).toEqual({ runs: 12 });
  });

  it.each([
    [['--foo'], 'unknown option --foo (--runs N is the only option)'],
    [['--runs', '2', 'extra'], 'unexpected argument "extra" (--runs N is the only option)'],
    [['--runs'], '--runs needs a value: a whole number of runs, 1 or more'],
    [['--runs', '0'], '--runs must be a whole number of runs, 1 or more, got "0"'],
    [['--runs', '1.5'], '--runs must be a whole number of runs, 1 or more, got "1.5"'],
    [['--runs', '-5'], '--runs must be a whole number of runs, 1 or more, got "-5"'],
    [['--runs=-5'], '--runs must be a whole number of runs, 1 or more, got "-5"'],
  ])('refuses %j with one line', (args, message) => {
    expect(() => parseBenchArgs(args)).toThrow(new ReplayUsageError(message));
  });

  it('refuses an unknown flag with one line on stderr and exit 2, before any emulator starts (the real CLI)', () => {
    // Without argument parsing this would run the whole benchmark; the timeout makes that a failure, not a wait.
    const run = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/bench.ts', '--rnus', '1'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('bench: unknown option --rnus (--runs N is the only option)\n');
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });
});

describe('bench targets', () => {
  const ratio = (value: number): BenchTarget => ({ name: 'processor ratio to floor', value, comparison: '>=', limit: 0.25, digits: 3 });
  const p99 = (value: number): BenchTarget => ({ name: 'processor p99 per 1,000 records', value, comparison: '<', limit: 1_000, digits: 1, unit: 'ms' });
  const batching = (value: number): BenchTarget => ({ name: 'storer readings per item write', value, comparison: '>=', limit: 10, digits: 1 });

  it('marks a missed target MISSED where its figure is printed', () => {
    expect(targetCell(ratio(0.279))).toBe('target >= 0.25');
    expect(targetCell(ratio(0.25))).toBe('target >= 0.25');
    expect(targetCell(ratio(0.237))).toBe('target >= 0.25   MISSED');
    expect(targetCell(p99(27.3))).toBe('target < 1,000 ms');
    expect(targetCell(p99(1_000))).toBe('target < 1,000 ms   MISSED');
  });

  it('counts a figure that was not measured (NaN) as missed', () => {
    expect(targetMet(batching(Number.NaN))).toBe(false);
    expect(targetMet(p99(Number.NaN))).toBe(false);
  });

  it('ends with a line counting the missed targets and naming them with their figures', () => {
    expect(targetSummary([ratio(0.279), p99(27.3), batching(30)])).toBe('Targets missed: 0 of 3');
    expect(targetSummary([ratio(0.237), p99(27.3), batching(30)])).toBe('Targets missed: 1 of 3 (processor ratio to floor 0.237, target >= 0.25)');
    expect(targetSummary([ratio(0.237), p99(1_234.56), batching(9.5)])).toBe(
      'Targets missed: 3 of 3 (processor ratio to floor 0.237, target >= 0.25; processor p99 per 1,000 records 1,234.6 ms, target < 1,000 ms; ' +
        'storer readings per item write 9.5, target >= 10)',
    );
  });
});

describe('bench medians', () => {
  it('takes the middle value of an odd count and the mean of the two middle values of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([10, 20])).toBe(15);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('says that each figure is a median over the runs and that the ratio is not throughput / floor', () => {
    const run = (readingsPerSecond: number, floorPerSecond: number, ratio: number, p50: number, p99: number): RunResult => ({ readingsPerSecond, floorPerSecond, ratio, p50, p99 });
    const runs = [run(500_000, 2_000_000, 0.26, 13, 27), run(520_000, 1_900_000, 0.3, 14, 28), run(510_000, 1_950_000, 0.27, 12, 30), run(530_000, 1_800_000, 0.28, 15, 26)];
    const { lines, checks } = functionReport('processor', runs, { label: 'processor', ratio: 0.25, p99Ms: 1_000 });
    expect(lines).toEqual([
      'processor',
      '  throughput             515,000 readings/s   median of 4 runs (runs: 500,000, 520,000, 510,000, 530,000)',
      '  parse floor          1,925,000 readings/s   median of 4 runs (base64 + JSON.parse of the same records; runs: 2,000,000, 1,900,000, 1,950,000, 1,800,000)',
      '  ratio to floor           0.275   median of the per-run ratios, not throughput / floor (runs: 0.260, 0.300, 0.270, 0.280)   target >= 0.25',
      '  per 1,000 records p50 13.5 ms, p99 27.5 ms (medians of 4 runs)   target < 1,000 ms',
    ]);
    expect(checks.map((check) => check.value)).toEqual([0.275, 27.5]);
  });
});
