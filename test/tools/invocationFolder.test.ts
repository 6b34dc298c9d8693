import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseSimulateArgs } from '../../scripts/lib/fleet/parseSimulateArgs';
import { parseLoadtestArgs } from '../../scripts/lib/local/parseLoadtestArgs';
import { parseLocalArgs } from '../../scripts/lib/local/parseLocalArgs';
import { parseQueryArgs } from '../../scripts/lib/queryArgs';
import { resolveUserPath } from '../../scripts/lib/resolveUserPath';
import { generateRows, injectFault, START_TS, type MetricSpec } from '../detector/syntheticSeries';

/**
 * npm runs a script from the package root and passes the folder the user ran it from as INIT_CWD: the
 * paths the user gives are relative to that folder, and are printed as given.
 */
const REPOSITORY = resolve(__dirname, '../..');
const METRICS: readonly MetricSpec[] = [
  { name: 'vibration', level: 2.5, noise: 0.05, autoregression: 0 },
  { name: 'flow', level: 40, noise: 0.5, autoregression: 0.1 },
];
const time = (t: number): string => new Date(START_TS + t * 1000).toISOString().slice(0, 19).replace('T', ' ');

/** A SKAB file of 900 rows with a flow drop labelled over rows 600-799. */
function writeSkab(path: string, seed: number): void {
  const rows = injectFault(generateRows(900, seed, METRICS), 'flow', 600, (k) => (k < 200 ? -8 : 0), METRICS);
  const lines = rows.map((row, t) => [time(t), ...row, t >= 600 && t < 800 ? 1 : 0, t === 600 || t === 800 ? 1 : 0].join(';'));
  writeFileSync(path, ['datetime;vibration;flow;anomaly;changepoint', ...lines].join('\n'));
}

/** A tool of scripts/ run from the repository (as npm does), the user having started it in `userFolder`. */
function runFrom(userFolder: string, script: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), join('scripts', script), ...args], {
    cwd: REPOSITORY,
    env: { ...process.env, INIT_CWD: userFolder },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `body` run as in a tool started in `userFolder` (INIT_CWD set), the variable restored after. */
function startedIn<T>(userFolder: string | undefined, body: () => T): T {
  const saved = process.env.INIT_CWD;
  try {
    if (userFolder === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = userFolder;
    return body();
  } finally {
    if (saved === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = saved;
  }
}

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'invocation-folder-'));
  mkdirSync(join(folder, 'skab', 'valve'), { recursive: true });
  mkdirSync(join(folder, 'plots'));
  for (const seed of [1, 2]) writeSkab(join(folder, 'skab', 'valve', `${seed}.csv`), seed);
  writeFileSync(join(folder, 'settings.yaml'), 'warmupSamples: 400\n');
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe('relative paths are the user\'s, from the folder npm was started in (INIT_CWD)', () => {
  it('resolveUserPath resolves from INIT_CWD, else from the working folder', () => {
    startedIn(folder, () => {
      expect(resolveUserPath('skab/valve/1.csv')).toBe(join(folder, 'skab', 'valve', '1.csv'));
      expect(resolveUserPath('/etc/hosts')).toBe('/etc/hosts');
    });
    startedIn(undefined, () => expect(resolveUserPath('q.svg')).toBe(join(process.cwd(), 'q.svg')));
  });

  it('the path flags of local, loadtest and simulate are the user\'s; their defaults stay the repository\'s folders', () => {
    startedIn(folder, () => {
      expect(parseLocalArgs(['--certs', 'c', '--logs', 'l'])).toMatchObject({ certs: join(folder, 'c'), logs: join(folder, 'l') });
      expect(parseLocalArgs([])).toMatchObject({ certs: '.local/certs', logs: '.local/logs' });
      expect(parseLoadtestArgs(['--devices', '8', '--seconds', '5', '--certs', 'c', '--logs', '/var/l'])).toMatchObject({ certs: join(folder, 'c'), logs: '/var/l' });
      expect(parseLoadtestArgs(['--devices', '8', '--seconds', '5'])).toMatchObject({ certs: '.local/loadtest-certs', logs: '.local/logs' });
      expect(parseSimulateArgs(['--certs', 'c', '--plan', 'p.json', '--ledger', 'l.jsonl'], ['dev'])).toMatchObject({ certs: join(folder, 'c'), plan: join(folder, 'p.json'), ledger: join(folder, 'l.jsonl') });
      expect(parseSimulateArgs(['--make-certs', 'm', '--endpoint', 'x.iot.sa-east-1.amazonaws.com', '--root-ca', 'ca.pem'], ['dev'])).toMatchObject({ makeCerts: join(folder, 'm'), rootCa: join(folder, 'ca.pem') });
      expect(parseSimulateArgs([], ['dev'])).toMatchObject({ certs: '.local/certs', plan: undefined, ledger: undefined });
    });
  });

  it('synth reads --config-dir and writes --out there; preflight reads --config-dir there', () => {
    mkdirSync(join(folder, 'config'));
    writeFileSync(join(folder, 'config', 'dev.yaml'), readFileSync(join(REPOSITORY, 'config', 'dev.yaml')));
    const run = runFrom(folder, 'synth.ts', ['--config-dir', 'config', '--out', 'rendered']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readFileSync(join(folder, 'rendered', 'dev', 'stream.k8s.yaml'), 'utf8')).toBe(readFileSync(join(REPOSITORY, 'manifests', 'dev', 'stream.k8s.yaml'), 'utf8'));
    const preflight = runFrom(folder, 'preflight.ts', ['--env', 'dev', '--config-dir', 'nowhere']);
    expect(preflight.status).toBe(2);
    expect(preflight.stderr).toContain(join(folder, 'nowhere'));
  }, 120_000);

  it('replay reads the inputs and --settings and writes --plot there, naming the files as given', () => {
    const run = runFrom(folder, 'replay.ts', ['--format', 'skab', '--settings', 'settings.yaml', '--plot', 'plots/valve.svg', 'skab/valve/1.csv']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').slice(0, 2)).toEqual(['file,index,anomaly', 'skab/valve/1.csv,0,0']);
    expect(readFileSync(join(folder, 'plots', 'valve.svg'), 'utf8')).toMatch(/^<svg /);
    expect(existsSync(join(REPOSITORY, 'plots'))).toBe(false);
  }, 60_000);

  it('replay names a missing input, settings file or plot folder as given', () => {
    expect(runFrom(folder, 'replay.ts', ['--format', 'skab', 'skab/valve/9.csv'])).toEqual({ status: 1, stdout: '', stderr: 'replay: cannot read skab/valve/9.csv: no such file\n' });
    expect(runFrom(folder, 'replay.ts', ['--format', 'skab', '--settings', 'none.yaml', 'skab/valve/1.csv'])).toEqual({ status: 2, stdout: '', stderr: 'replay: cannot read settings file none.yaml\n' });
    expect(runFrom(folder, 'replay.ts', ['--format', 'skab', '--plot', 'nowhere/v.svg', 'skab/valve/1.csv'])).toEqual({
      status: 2,
      stdout: '',
      stderr: 'replay: --plot: no folder nowhere to write "nowhere/v.svg" into\n',
    });
  }, 60_000);

  it('bench:skab lists DIR and reads --settings there, and names DIR as given', () => {
    const run = runFrom(folder, 'benchSkab.ts', ['skab', '--settings', 'settings.yaml']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('SKAB benchmark of the streaming detector: 2 labelled files under skab');
    expect(runFrom(folder, 'benchSkab.ts', ['valve'])).toEqual({ status: 2, stdout: '', stderr: 'bench:skab: not a directory: valve\n' });
  }, 60_000);

  it('query checks --plot in the user\'s folder and names it as given', () => {
    const plot = (path: string): unknown => {
      try {
        return parseQueryArgs(['--env', 'dev', '--asset', 'pump-07', '--from', '-1h', '--plot', path]);
      } catch (error) {
        return (error as Error).message;
      }
    };
    startedIn(folder, () => {
      expect(plot('plots/q.svg')).toMatchObject({ plotPath: 'plots/q.svg' });
      expect(plot('nowhere/q.svg')).toBe('--plot must name an .svg file in an existing folder, got "nowhere/q.svg" (nowhere is not a folder)');
    });
  });

  it('npm run sets INIT_CWD: replay started in charts/ reads a path relative to charts/', () => {
    // Beside the repository's folders (.local/ is not committed): from the repository root the same path
    // names nothing, where a path up to / would name the file from either folder.
    mkdirSync(join(REPOSITORY, '.local'), { recursive: true });
    const beside = mkdtempSync(join(REPOSITORY, '.local', 'invocation-folder-'));
    try {
      writeSkab(join(beside, 'pump.csv'), 3);
      const charts = join(REPOSITORY, 'charts');
      const input = relative(charts, join(beside, 'pump.csv'));
      expect(existsSync(resolve(REPOSITORY, input))).toBe(false);
      const run = spawnSync('npm', ['run', '--silent', 'replay', '--', '--format', 'skab', input], { cwd: charts, encoding: 'utf8', timeout: 60_000 });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.split('\n')[1]).toBe(`${input},0,0`);
    } finally {
      rmSync(beside, { recursive: true, force: true });
    }
  }, 60_000);
});
