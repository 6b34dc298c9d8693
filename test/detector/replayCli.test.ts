import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runReplay } from '../../scripts/replay';
import { ReplayInputError, ReplayUsageError } from '../../scripts/lib/replayErrors';
import { plotReplaySvg } from '../../scripts/lib/plotReplaySvg';
import type { ReplayResult } from '../../scripts/lib/replayRun';
import { generateRows, injectFault, START_TS, type MetricSpec } from './syntheticSeries';

const PROJECT_ROOT = resolve(__dirname, '../..');
const METRICS: readonly MetricSpec[] = [
  { name: 'Pump Current', level: 12, noise: 0.3, autoregression: 0.2 },
  { name: 'outlet_pressure', level: 3.1, noise: 0.04, autoregression: 0 },
  { name: 'flow', level: 40, noise: 0.5, autoregression: 0.1 },
];
const WARMUP = 60;
const ROWS = 200;
/** A flow drop from row 120 on, which the replay must flag. */
const FAULT_ROW = 120;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'replay-test-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function faultyRows(): number[][] {
  return injectFault(generateRows(ROWS, 31, METRICS), 'flow', FAULT_ROW, () => -6, METRICS);
}

function isoSeconds(t: number): string {
  return new Date(START_TS + t * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** SKAB layout: `;`, datetime first, metrics, then label columns (here deliberately misleading). */
function writeSkab(name: string, rows: readonly (readonly number[])[], labels: 'misleading' | 'none' = 'misleading'): string {
  const header = ['datetime', ...METRICS.map((metric) => metric.name), ...(labels === 'none' ? [] : ['anomaly', 'changepoint'])];
  const lines = rows.map((row, t) => [isoSeconds(t), ...row.map(String), ...(labels === 'none' ? [] : [t % 2 === 0 ? '1.0' : '0.0', '0.0'])].join(';'));
  const path = join(dir, name);
  writeFileSync(path, [header.join(';'), ...lines].join('\n') + '\n');
  return path;
}

/** The project's export, one reading per line, written sensor by sensor (not in time order). */
function writeExport(name: string, rows: readonly (readonly number[])[]): string {
  const lines = METRICS.flatMap((metric, m) => rows.map((row, t) => `${START_TS + t * 1000},pump-07,${metric.name.replace(/ /g, '_')},${row[m]},GOOD`));
  const path = join(dir, name);
  writeFileSync(path, ['timestamp,assetId,metric,value,quality', ...lines].join('\n') + '\n');
  return path;
}

function replay(args: readonly string[]): string {
  let output = '';
  runReplay(args, (chunk) => {
    output += chunk;
  });
  return output;
}

function flags(output: string): number[] {
  return output
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(',')[2]));
}

describe('replay --format skab', () => {
  it('prints file,index,anomaly for every data row, warm-up rows 0, and flags the fault', () => {
    const path = writeSkab('pump.csv', faultyRows());
    const lines = replay(['--format', 'skab', '--warmup', String(WARMUP), path]).trimEnd().split('\n');
    expect(lines[0]).toBe('file,index,anomaly');
    expect(lines).toHaveLength(ROWS + 1);
    lines.slice(1).forEach((line, index) => expect(line).toBe(`${path},${index},${line.slice(-1)}`));
    const flagged = flags(lines.join('\n'));
    expect(flagged.slice(0, WARMUP).every((flag) => flag === 0)).toBe(true);
    expect(flagged.slice(WARMUP, FAULT_ROW).every((flag) => flag === 0)).toBe(true);
    expect(flagged.slice(FAULT_ROW + 20).every((flag) => flag === 1)).toBe(true);
  });

  it('ignores the label columns', () => {
    const rows = faultyRows();
    const withLabels = replay(['--format', 'skab', '--warmup', String(WARMUP), writeSkab('labelled.csv', rows)]);
    const withoutLabels = replay(['--format', 'skab', '--warmup', String(WARMUP), writeSkab('unlabelled.csv', rows, 'none')]);
    expect(flags(withLabels)).toEqual(flags(withoutLabels));
  });

  it('flags a row from that row and earlier rows only: a prefix of a file gets the same flags', () => {
    const rows = faultyRows();
    const full = flags(replay(['--format', 'skab', '--warmup', String(WARMUP), writeSkab('full.csv', rows)]));
    const prefix = flags(replay(['--format', 'skab', '--warmup', String(WARMUP), writeSkab('prefix.csv', rows.slice(0, 150))]));
    expect(prefix).toEqual(full.slice(0, 150));
  });

  it('replays several files in order, each with a fresh detector', () => {
    const faulty = writeSkab('a.csv', faultyRows());
    const clean = writeSkab('b.csv', generateRows(ROWS, 32, METRICS));
    const output = replay(['--format', 'skab', '--warmup', String(WARMUP), faulty, clean, faulty]);
    const lines = output.trimEnd().split('\n');
    expect(lines).toHaveLength(3 * ROWS + 1);
    expect(lines[1]).toBe(`${faulty},0,0`);
    expect(lines[ROWS + 1]).toBe(`${clean},0,0`);
    expect(lines[2 * ROWS + 1]).toBe(`${faulty},0,0`);
    const all = flags(output);
    expect(all.slice(2 * ROWS)).toEqual(all.slice(0, ROWS));
  });

  it('adds the score, threshold, episode and contributors with --details', () => {
    const path = writeSkab('details.csv', faultyRows());
    const lines = replay(['--format', 'skab', '--warmup', String(WARMUP), '--details', path]).trimEnd().split('\n');
    expect(lines[0]).toBe('file,index,anomaly,ts,asset,score,threshold,episode,contributors');
    expect(lines[1]).toBe(`${path},0,0,${START_TS},${path},0,,none,`);
    expect(lines.some((line) => line.startsWith(`${path},`) && /,1,\d+,[^,]+,[\d.e+]+,[\d.]+,open,flow$/.test(line))).toBe(true);
  });

  it('draws the metrics, score, threshold and flagged spans as SVG', () => {
    const svgPath = join(dir, 'out.svg');
    replay(['--format', 'skab', '--warmup', String(WARMUP), '--plot', svgPath, writeSkab('plotted.csv', faultyRows())]);
    const svg = readFileSync(svgPath, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const metric of METRICS) expect(svg).toContain(`>${metric.name}</text>`);
    expect(svg).toContain('stroke-dasharray'); // the threshold line
    expect(svg).toContain('fill="rgba(231, 76, 60, 0.18)"'); // a flagged span
  });
});

describe('replay --format csv', () => {
  it('groups the readings of one asset and timestamp into one sample, whatever the line order', () => {
    const rows = faultyRows();
    const fromSkab = flags(replay(['--format', 'skab', '--warmup', String(WARMUP), writeSkab('same.csv', rows)]));
    const output = replay(['--format', 'csv', '--warmup', String(WARMUP), writeExport('export.csv', rows)]);
    const lines = output.trimEnd().split('\n');
    expect(lines[0]).toBe('file,index,anomaly');
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines[1]).toBe(`${join(dir, 'export.csv')},0,0`);
    expect(flags(output)).toEqual(fromSkab);
  });

  it('reads epoch seconds as seconds, not as milliseconds', () => {
    const rows = faultyRows();
    const inMs = writeExport('ms.csv', rows);
    const inSeconds = join(dir, 'seconds.csv');
    writeFileSync(inSeconds, readFileSync(inMs, 'utf8').replace(/^(\d+)000,/gm, '$1,'));
    const detailsOf = (path: string) => replay(['--format', 'csv', '--warmup', String(WARMUP), '--details', path]).trimEnd().split('\n').slice(1).map((line) => line.split(',').slice(2).join(','));
    expect(detailsOf(inSeconds)).toEqual(detailsOf(inMs));
  });
});

describe('replay fixes', () => {
  it('prints the path as given, so files of one name in two folders stay apart', () => {
    mkdirSync(join(dir, 'a'), { recursive: true });
    mkdirSync(join(dir, 'b'), { recursive: true });
    const first = writeSkab(join('a', '1.csv'), faultyRows());
    const second = writeSkab(join('b', '1.csv'), faultyRows());
    const names = new Set(replay(['--format', 'skab', '--warmup', String(WARMUP), first, second]).trimEnd().split('\n').slice(1).map((line) => line.split(',')[0]));
    expect([...names]).toEqual([first, second]);
  });

  it('refuses a --plot path that names an input or is not .svg, and leaves the input untouched', () => {
    const path = writeSkab('keep.csv', faultyRows());
    const before = readFileSync(path, 'utf8');
    expect(() => replay(['--format', 'skab', '--plot', path, path])).toThrow(new ReplayUsageError(`--plot must name an .svg file, got "${path}"`));
    const svgInput = join(dir, 'input.svg');
    writeFileSync(svgInput, before);
    expect(() => replay(['--format', 'skab', '--plot', svgInput, svgInput])).toThrow(new ReplayUsageError(`--plot must not name an input file, got "${svgInput}"`));
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readFileSync(svgInput, 'utf8')).toBe(before);
  });

  it('refuses a --plot path in a missing folder or naming a folder before replaying anything', () => {
    const path = writeSkab('plot-input.csv', faultyRows());
    const missing = join(dir, 'no-such-folder', 'out.svg');
    expect(() => replay(['--format', 'skab', '--plot', missing, path])).toThrow(new ReplayUsageError(`--plot: no folder ${join(dir, 'no-such-folder')} to write "${missing}" into`));
    const folder = join(dir, 'folder.svg');
    mkdirSync(folder, { recursive: true });
    expect(() => replay(['--format', 'skab', '--plot', folder, path])).toThrow(new ReplayUsageError(`--plot must name a file, got the folder "${folder}"`));
  });

  it("reads npm run query's raw CSV (time column t) like the export", () => {
    const rows = faultyRows();
    const exported = readFileSync(writeExport('for-query.csv', rows), 'utf8').trimEnd().split('\n').slice(1);
    // query --step raw --format csv: assetId,metric,t,value,quality
    const queried = join(dir, 'queried.csv');
    writeFileSync(queried, ['assetId,metric,t,value,quality', ...exported.map((line) => {
      const [t, asset, metric, value, quality] = line.split(',');
      return [asset, metric, t, value, quality].join(',');
    })].join('\n') + '\n');
    const detailsOf = (path: string) => replay(['--format', 'csv', '--warmup', String(WARMUP), '--details', path]).trimEnd().split('\n').slice(1).map((line) => line.split(',').slice(1).join(','));
    expect(detailsOf(queried)).toEqual(detailsOf(join(dir, 'for-query.csv')));
  });

  it('plots a day at 1 Hz (and more) without overflowing the stack', () => {
    const count = 200_000;
    const result: ReplayResult = {
      file: {
        name: 'day.csv',
        metrics: ['flow'],
        labelled: false,
        changepointLabelled: false,
        samples: Array.from({ length: count }, (_, t) => ({ asset: 'p1', sample: { ts: START_TS + t * 1000, values: { flow: { value: Math.sin(t / 500), quality: 'GOOD' as const } } } })),
      },
      anomalous: new Uint8Array(count),
      scores: Float64Array.from({ length: count }, (_, t) => 1 + (t % 7)),
      thresholds: new Float64Array(count).fill(6),
      warmingUp: new Uint8Array(count),
      openings: new Map(),
    };
    const svg = plotReplaySvg(result);
    expect(svg).toContain('>flow</text>');
    expect(svg).toContain('-1.000 … 1.000');
  });

  it('draws one trace per asset and metric for a multi-asset export', () => {
    const rows = faultyRows();
    const lines = METRICS.flatMap((metric, m) =>
      rows.flatMap((row, t) => [`${START_TS + t * 1000},pump-07,${metric.name.replace(/ /g, '_')},${row[m]},GOOD`, `${START_TS + t * 1000},pump-08,${metric.name.replace(/ /g, '_')},${row[m] + 1000},GOOD`]),
    );
    const path = join(dir, 'two-assets.csv');
    writeFileSync(path, ['timestamp,assetId,metric,value,quality', ...lines].join('\n') + '\n');
    const svgPath = join(dir, 'two-assets.svg');
    replay(['--format', 'csv', '--warmup', String(WARMUP), '--plot', svgPath, path]);
    const svg = readFileSync(svgPath, 'utf8');
    expect(svg).toContain('>pump-07 · flow</text>');
    expect(svg).toContain('>pump-08 · flow</text>');
    // Each flow strip spans its own asset's range only: pump-07 near 40, pump-08 near 1040.
    expect(svg).toMatch(/>3[0-9.]+ … 4[0-9.]+<\/text>/);
    expect(svg).toMatch(/>10[34][0-9.]+ … 104[0-9.]+<\/text>/);
  });
});

describe('replay input errors', () => {
  it.each([
    [['--format', 'xml', 'x.csv'], new ReplayUsageError('unknown format "xml" (expected skab or csv)')],
    [['--format', 'skab', '--warmup', 'many', 'x.csv'], new ReplayUsageError('--warmup must be a whole number of samples, got "many"')],
  ])('rejects %j', (args, error) => {
    expect(() => replay(args)).toThrow(error);
  });

  it('validates the settings file before any output', () => {
    const settingsPath = join(dir, 'settings.json');
    writeFileSync(settingsPath, JSON.stringify({ warmupSamples: 5 }));
    expect(() => replay(['--format', 'skab', '--settings', settingsPath, writeSkab('s.csv', faultyRows())])).toThrow(
      new ReplayUsageError(`settings file ${settingsPath}: warmupSamples: expected an integer from 10 to 604800, got 5`),
    );
  });

  it('takes the detection block of an environment config as is, tuning fields and heartbeat included', () => {
    const rows = faultyRows();
    const block = { warmupSamples: WARMUP, cooldownSeconds: 900, statusHeartbeatSeconds: 300, thresholdFactor: 50, recoverySamples: 30, limits: { flow: { min: 0 } } };
    const json = join(dir, 'detection.json');
    writeFileSync(json, JSON.stringify(block));
    const yaml = join(dir, 'dev.yaml');
    writeFileSync(yaml, `environment: dev\ndetection:\n${Object.entries(block).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`).join('\n')}\n`);
    const path = writeSkab('tuned.csv', rows);
    const fromJson = replay(['--format', 'skab', '--settings', json, path]);
    expect(replay(['--format', 'skab', '--settings', yaml, path])).toBe(fromJson);
    // A factor of 50 silences the fault the defaults flag.
    expect(flags(fromJson).some((flag) => flag === 1)).toBe(false);
    expect(flags(replay(['--format', 'skab', '--warmup', String(WARMUP), path])).some((flag) => flag === 1)).toBe(true);
  });

  it.each([
    ['Infinity', 'inf.csv', 'datetime;a;b\n2026-01-05 08:00:00;1;Infinity\n', (path: string) => `${path}: line 2, column 3 (b): not a finite number, got "Infinity"`],
    ['a header without rows', 'empty.csv', 'datetime;a;b\n', (path: string) => `${path}: no data rows after the header`],
    ['a file shorter than the warm-up', 'short.csv', 'datetime;a;b\n2026-01-05 08:00:00;1;2\n2026-01-05 08:00:01;1;3\n', (path: string) => `${path}: it has 2 samples, not more than the warm-up of 400: nothing would be judged`],
  ])('refuses %s with one clear line', (_, name, text, message) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    expect(() => replay(['--format', 'skab', path])).toThrow(new ReplayInputError(message(path)));
  });

  it('names file, line and column of a non-numeric cell', () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, 'datetime;a;b\n2026-01-05 08:00:00;1;2\n2026-01-05 08:00:01;1;2\n2026-01-05 08:00:02;1;abc\n');
    expect(() => replay(['--format', 'skab', path])).toThrow(new ReplayInputError(`${path}: line 4, column 3 (b): not a number, got "abc"`));
    const exportPath = join(dir, 'bad-export.csv');
    writeFileSync(exportPath, 'timestamp,assetId,metric,value,quality\n1767600000000,p1,flow,40,GOOD\n1767600000000,p1,flow,4O,GOOD\n');
    expect(() => replay(['--format', 'csv', exportPath])).toThrow(
      new ReplayInputError(`${exportPath}: line 3, column 4 (value): not a number, got "4O"`),
    );
  });

  it('exits quietly (0, nothing on stderr) when its reader closes the pipe early, as `| head` does', () => {
    const path = writeSkab('piped.csv', generateRows(2_000, 7, METRICS));
    // About 300 KB of details: far more than a pipe holds, so the writes meet the closed pipe.
    const command = `"${join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx')}" scripts/replay.ts --format skab --details ${Array(3).fill(`"${path}"`).join(' ')} | head -c 100 > /dev/null; echo "$\{PIPESTATUS[0]}"`;
    const run = spawnSync('bash', ['-c', command], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect({ status: run.stdout, stderr: run.stderr }).toEqual({ status: '0\n', stderr: '' });
  });

  it('exits non-zero with the exact message on stderr (the real CLI)', () => {
    const run = (args: readonly string[]) =>
      spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/replay.ts', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    const unknownFormat = run(['--format', 'xml', 'x.csv']);
    expect(unknownFormat.status).toBe(2);
    expect(unknownFormat.stdout).toBe('');
    expect(unknownFormat.stderr).toBe('replay: unknown format "xml" (expected skab or csv)\n');

    const missingPath = join(dir, 'missing.csv');
    const missing = run(['--format', 'skab', missingPath]);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(`replay: cannot read ${missingPath}: no such file\n`);
  });
});
