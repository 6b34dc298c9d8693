import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { DEFAULT_BENCH_RUNS, parseBenchArgs } from '../../scripts/lib/benchArgs';
import { targetCell, targetMet, targetSummary, type BenchTarget } from '../../scripts/lib/benchTargets';
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
