import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseBenchSkabArgs, runBenchSkab } from '../../scripts/benchSkab';
import { parseReplayArgs } from '../../scripts/replay';
import { IMPORT_USAGE, parseImportArgs } from '../../scripts/lib/importArgs';
import { parseArgsProblem } from '../../scripts/lib/parseArgsProblem';
import { formatQueryResult } from '../../scripts/lib/queryOutput';
import { ReplayInputError } from '../../scripts/lib/replayErrors';

const REPOSITORY = resolve(__dirname, '../..');
const REPLAY_USAGE = 'usage: replay --format skab|csv [--warmup N] [--settings FILE.json|FILE.yaml] [--details] [--plot OUT.svg] FILE...';
const BENCH_SKAB_USAGE = 'usage: bench:skab -- DIR [--settings FILE.json|FILE.yaml]';

/** The error a parser threw (its class and message), or what it returned. */
function outcome(parse: () => unknown): { kind: string; message: string } | { returned: unknown } {
  try {
    return { returned: parse() };
  } catch (error) {
    return { kind: (error as Error).constructor.name, message: (error as Error).message };
  }
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'operator-mistakes-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('a refused flag is named in one line, without parseArgs advice to put it after --', () => {
  it.each([
    ['replay, an unknown flag', () => parseReplayArgs(['--format', 'skab', '--bogus', 'x.csv']), `--bogus: unknown flag\n${REPLAY_USAGE}`],
    ['replay, an unknown flag with a value', () => parseReplayArgs(['--format', 'skab', '--warm=3', 'x.csv']), `--warm: unknown flag\n${REPLAY_USAGE}`],
    ['replay, a flag without its value', () => parseReplayArgs(['--format', 'skab', 'x.csv', '--warmup']), `--warmup: missing value\n${REPLAY_USAGE}`],
    [
      'replay, a value that starts with a dash',
      () => parseReplayArgs(['--format', 'skab', '--warmup', '-1', 'x.csv']),
      `--warmup: missing value (a value that starts with a dash is given as --warmup=VALUE)\n${REPLAY_USAGE}`,
    ],
    ['replay, a value to a flag that takes none', () => parseReplayArgs(['--format', 'skab', '--details=yes', 'x.csv']), `--details: takes no value\n${REPLAY_USAGE}`],
    ['bench:skab, an unknown flag', () => parseBenchSkabArgs(['--env', 'dev', '.']), `--env: unknown flag\n${BENCH_SKAB_USAGE}`],
    ['bench:skab, an unknown short flag', () => parseBenchSkabArgs(['-x', '.']), `-x: unknown flag\n${BENCH_SKAB_USAGE}`],
  ])('%s', (_, parse, message) => {
    expect(outcome(parse)).toEqual({ kind: 'ReplayUsageError', message });
  });

  it('import: an unknown flag and an unexpected argument', () => {
    expect(outcome(() => parseImportArgs(['--force']))).toEqual({ kind: 'Error', message: `--force: unknown flag; ${IMPORT_USAGE}` });
    expect(outcome(() => parseImportArgs(['crds', 'more']))).toEqual({ kind: 'Error', message: `one folder, got 2; ${IMPORT_USAGE}` });
  });

  it('parseArgsProblem reads an unexpected positional and keeps the first line of anything else', () => {
    expect(parseArgsProblem(Object.assign(new Error("Unexpected argument 'extra'. This command does not take positional arguments"), { code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' }))).toBe(
      '"extra": unexpected argument',
    );
    expect(parseArgsProblem(new Error('first\nsecond'))).toBe('first');
  });

  it('the real replay CLI prints the one line and the usage, exit 2', () => {
    const result = spawnSync(join(REPOSITORY, 'node_modules', '.bin', 'tsx'), ['scripts/replay.ts', '--format', 'skab', '--bogus', 'x.csv'], {
      cwd: REPOSITORY,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 2, stdout: '', stderr: `replay: --bogus: unknown flag\n${REPLAY_USAGE}\n` });
  });
});

describe('bench:skab names DIR as the operator gave it', () => {
  it('says which DIR is missing or extra', () => {
    expect(outcome(() => parseBenchSkabArgs([]))).toEqual({ kind: 'ReplayUsageError', message: `missing DIR, the folder of SKAB files\n${BENCH_SKAB_USAGE}` });
    expect(outcome(() => parseBenchSkabArgs([scratch, 'more']))).toEqual({ kind: 'ReplayUsageError', message: `one DIR, got 2: ${JSON.stringify(scratch)} "more"\n${BENCH_SKAB_USAGE}` });
  });

  it('a folder without labelled files is named relative, as given, not resolved', () => {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.csv'), 'datetime;flow\n2020-01-01 00:00:00;1\n');
    const given = relative(process.env.INIT_CWD ?? process.cwd(), empty);
    expect(() => runBenchSkab([given], () => undefined)).toThrow(new ReplayInputError(`no labelled SKAB file (*.csv with an anomaly column) under ${given}`));
  });
});

describe('npm run import takes DIR from the folder it was run in (INIT_CWD)', () => {
  it('resolves a relative DIR against INIT_CWD, not the repository root', () => {
    const folder = join(scratch, 'from-here');
    mkdirSync(join(folder, 'crds'), { recursive: true });
    writeFileSync(join(folder, 'crds', 'notes.yaml'), 'kind: ConfigMap\n');
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(REPOSITORY, 'scripts', 'import.ts'), 'crds'], {
      cwd: REPOSITORY,
      env: { ...process.env, INIT_CWD: folder },
      encoding: 'utf8',
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 1,
      stderr: `import: no CustomResourceDefinition found under ${join(folder, 'crds')}; imports/ is unchanged\n`,
    });
  });
});

describe("query --line's listing", () => {
  it('aligns its text columns to the left, under their headers', () => {
    const lastSeen = Date.UTC(2026, 11, 4, 14, 51, 33, 479);
    const text = formatQueryResult(
      {
        kind: 'assets',
        lineId: 'line-a',
        assets: [
          { assetId: 'pump-00001', status: 'OFFLINE', lastSeen, metrics: ['current', 'flow'] },
          { assetId: 'press-02', status: 'OK', metrics: ['pressure'] },
        ],
      },
      'table',
      { kind: 'line-assets', lineId: 'line-a' },
    );
    expect(text).toBe(
      [
        'assetId     status   lastSeen                  metrics',
        'pump-00001  OFFLINE  2026-12-04T14:51:33.479Z  current flow',
        'press-02    OK                                 pressure',
        '',
      ].join('\n'),
    );
  });
});


describe('the SKAB studies the README quotes answer a mistake with one line, not a stack trace', () => {
  const study = (name: string, args: readonly string[]) => {
    const result = spawnSync(join(REPOSITORY, 'node_modules', '.bin', 'tsx'), [`scripts/lib/${name}.ts`, ...args], { cwd: REPOSITORY, encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  let recording: string;
  beforeAll(() => {
    recording = join(scratch, 'free.csv');
    const rows = Array.from({ length: 50 }, (_, t) => `2020-01-01 00:${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')};${1 + (t % 7) / 10};${40 + (t % 5)}`);
    writeFileSync(recording, ['datetime;Pressure;Volume Flow RateRMS', ...rows].join('\n') + '\n');
  });

  it('skabStepStudy: --ramp without its value (the README says "With `--ramp`")', () => {
    expect(study('skabStepStudy', [recording, '--fresh', '--ramp'])).toEqual({ status: 2, stdout: '', stderr: 'skabStepStudy: --ramp: missing value\n' });
  });

  it('skabStepStudy: a metric the file does not have, instead of "found at 0 of N"', () => {
    expect(study('skabStepStudy', [recording, '--ramp', 'Presure=-4'])).toEqual({
      status: 2,
      stdout: '',
      stderr: `skabStepStudy: "Presure" is not a metric of ${recording}; its metrics are Pressure, Volume Flow RateRMS\n`,
    });
  });

  it('skabOnset: an unknown flag, and a folder that does not exist', () => {
    expect(study('skabOnset', [scratch, '--bogus'])).toEqual({ status: 2, stdout: '', stderr: 'skabOnset: --bogus: unknown flag\n' });
    const missing = join(scratch, 'no-such-folder');
    expect(study('skabOnset', [missing])).toEqual({ status: 1, stdout: '', stderr: `skabOnset: cannot read folder ${missing}: ENOENT\n` });
  });

  it('skabDriftCheck and skabStepStudy: a file that does not exist, exit 1', () => {
    const missing = join(scratch, 'nope.csv');
    expect(study('skabDriftCheck', [missing])).toEqual({ status: 1, stdout: '', stderr: `skabDriftCheck: cannot read ${missing}: no such file\n` });
    expect(study('skabStepStudy', [missing])).toEqual({ status: 1, stdout: '', stderr: `skabStepStudy: cannot read ${missing}: no such file\n` });
  });
});
