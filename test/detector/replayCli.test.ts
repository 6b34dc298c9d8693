import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DetectorSettingsError } from '../../functions/shared/detector';
import { runReplay } from '../../scripts/replay';
import { ReplayInputError, ReplayUsageError } from '../../scripts/lib/replayErrors';
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
    lines.slice(1).forEach((line, index) => expect(line).toMatch(new RegExp(`^pump\\.csv,${index},[01]$`)));
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
    expect(lines[1]).toBe('a.csv,0,0');
    expect(lines[ROWS + 1]).toBe('b.csv,0,0');
    expect(lines[2 * ROWS + 1]).toBe('a.csv,0,0');
    const all = flags(output);
    expect(all.slice(2 * ROWS)).toEqual(all.slice(0, ROWS));
  });

  it('adds the score, threshold, episode and contributors with --details', () => {
    const lines = replay(['--format', 'skab', '--warmup', String(WARMUP), '--details', writeSkab('details.csv', faultyRows())]).trimEnd().split('\n');
    expect(lines[0]).toBe('file,index,anomaly,ts,asset,score,threshold,episode,contributors');
    expect(lines[1]).toBe(`details.csv,0,0,${START_TS},details.csv,0,,none,`);
    expect(lines.some((line) => /^details\.csv,\d+,1,\d+,details\.csv,[\d.e+]+,[\d.]+,open,flow$/.test(line))).toBe(true);
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
    expect(lines[1]).toBe('export.csv,0,0');
    expect(flags(output)).toEqual(fromSkab);
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
      new DetectorSettingsError('warmupSamples must be an integer >= 10, got 5'),
    );
  });

  it('names file, line and column of a non-numeric cell', () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, 'datetime;a;b\n2026-01-05 08:00:00;1;2\n2026-01-05 08:00:01;1;2\n2026-01-05 08:00:02;1;abc\n');
    expect(() => replay(['--format', 'skab', path])).toThrow(new ReplayInputError('bad.csv: line 4, column 3 (b): not a number, got "abc"'));
    const exportPath = join(dir, 'bad-export.csv');
    writeFileSync(exportPath, 'timestamp,assetId,metric,value,quality\n1767600000000,p1,flow,40,GOOD\n1767600000000,p1,flow,4O,GOOD\n');
    expect(() => replay(['--format', 'csv', exportPath])).toThrow(
      new ReplayInputError('bad-export.csv: line 3, column 4 (value): not a number, got "4O"'),
    );
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
