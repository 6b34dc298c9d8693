import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { DRIFT_CHECK_USAGE, parseDriftCheckArgs, SKAB_DRIFT_CHUNK_ROWS } from '../../scripts/lib/parseDriftCheckArgs';
import { parseSweepArgs, SWEEP_USAGE } from '../../scripts/lib/skabSweep';

const PROJECT_ROOT = resolve(__dirname, '../..');

/** Runs one of the SKAB study tools as a user would; a refused command line exits before any file is read. */
function cli(script: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), [`scripts/lib/${script}.ts`, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('skabDriftCheck command line', () => {
  test('takes one file, chunk lengths in the order given, and a settings file', () => {
    expect(parseDriftCheckArgs(['free.csv'])).toEqual({ path: 'free.csv', chunkRows: [800, 1150, 1500] });
    expect(parseDriftCheckArgs(['--chunk', '1500', 'free.csv', '--chunk=600', '--settings', 's.json'])).toEqual({ path: 'free.csv', chunkRows: [1500, 600], settingsFile: 's.json' });
    expect(parseDriftCheckArgs(['--', '-odd.csv'])).toEqual({ path: '-odd.csv', chunkRows: SKAB_DRIFT_CHUNK_ROWS });
    expect(parseDriftCheckArgs(['free.csv', '-h'])).toBe('help');
  });

  test.each<[string, string[], string]>([
    ['an unknown flag', ['free.csv', '--chunks', '900'], `--chunks: unknown flag; ${DRIFT_CHECK_USAGE}`],
    ['an unknown flag with a value', ['free.csv', '--warmup=300'], `--warmup: unknown flag (value "300"); ${DRIFT_CHECK_USAGE}`],
    ['an unknown short flag', ['-c', '900', 'free.csv'], `-c: unknown flag; ${DRIFT_CHECK_USAGE}`],
    ['a flag without its value', ['free.csv', '--chunk'], `--chunk: missing value; ${DRIFT_CHECK_USAGE}`],
    ['a forgotten value', ['--settings', '--chunk', '900', 'free.csv'], `--settings: missing value; ${DRIFT_CHECK_USAGE}`],
    ['a chunk that is not a whole number', ['free.csv', '--chunk', '9e2'], '--chunk must be a whole number of rows above the 400-row warm-up, got "9e2"'],
    ['a chunk no longer than the warm-up', ['free.csv', '--chunk', '400'], '--chunk must be a whole number of rows above the 400-row warm-up, got "400"'],
    ['no file', ['--chunk', '900'], `one FILE, got none; ${DRIFT_CHECK_USAGE}`],
    ['two files', ['a.csv', 'b.csv'], `one FILE, got "a.csv", "b.csv"; ${DRIFT_CHECK_USAGE}`],
  ])('refuses %s', (_case, args, message) => {
    expect(() => parseDriftCheckArgs(args)).toThrow(new Error(message));
  });

  test('the real CLI refuses an unknown flag with one line on stderr and exit 2, instead of reading it as the file', () => {
    expect(cli('skabDriftCheck', ['free.csv', '--chunk-rows', '900'])).toEqual({ status: 2, stdout: '', stderr: `skabDriftCheck: --chunk-rows: unknown flag; ${DRIFT_CHECK_USAGE}\n` });
  });
});

describe('skabSweep command line', () => {
  test('takes the SKAB folder and the variants, measuring the defaults without any', () => {
    expect(parseSweepArgs(['skab'])).toEqual({ dir: 'skab', variants: ['defaults'] });
    expect(parseSweepArgs(['skab', 'a={"settings":{"thresholdFactor":3}}', 'b'])).toEqual({ dir: 'skab', variants: ['a={"settings":{"thresholdFactor":3}}', 'b'] });
    expect(parseSweepArgs(['--help'])).toBe('help');
  });

  test.each<[string, string[], string]>([
    ['a flag', ['skab', '--settings', 's.json'], `--settings: unknown flag, the sweep takes none; ${SWEEP_USAGE}`],
    ['a flag with a value', ['--chunk=900', 'skab'], `--chunk: unknown flag (value "900"), the sweep takes none; ${SWEEP_USAGE}`],
    ['no folder', [], `SKAB_DIR missing; ${SWEEP_USAGE}`],
  ])('refuses %s', (_case, args, message) => {
    expect(() => parseSweepArgs(args)).toThrow(new Error(message));
  });

  test('the real CLI refuses a flag with one line on stderr and exit 2, instead of taking it for a variant', () => {
    expect(cli('skabSweep', ['skab', '--fresh'])).toEqual({ status: 2, stdout: '', stderr: `skabSweep: --fresh: unknown flag, the sweep takes none; ${SWEEP_USAGE}\n` });
  });
});
