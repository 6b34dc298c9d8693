import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BENCH_SKAB_USAGE, benchSkab, formatBenchSkabReport, parseBenchSkabArgs, runBenchSkab, type SkabBenchResult } from '../../scripts/benchSkab';
import { ReplayInputError, ReplayUsageError } from '../../scripts/lib/replayErrors';
import { classifyFalseAlarms } from '../../scripts/lib/classifyFalseAlarms';
import { countSkabFile } from '../../scripts/lib/countSkabFile';
import { skabRates } from '../../scripts/lib/skabRates';
import { sumSkabCounts } from '../../scripts/lib/sumSkabCounts';
import { generateRows, injectFault, START_TS, type MetricSpec } from './syntheticSeries';

describe('SKAB scoring', () => {
  it('counts only the rows after the warm-up', () => {
    const flags = [1, 1, 0, 1, 1, 0, 0, 1];
    const labels = [1, 0, 0, 1, 0, 1, 0, 0];
    expect(countSkabFile(flags, labels, 2)).toEqual({ truePositives: 1, falsePositives: 2, falseNegatives: 1, trueNegatives: 2 });
  });

  it('tells false-positive rows that trail or lead a labelled span from those in episodes of their own', () => {
    const labels = [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    const flags = [0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0];
    expect(classifyFalseAlarms(flags, labels, 0)).toEqual({ trailing: 2, leading: 2, apart: 2 });
    // Rows of the warm-up are not judged, even in a span that reaches past it.
    expect(classifyFalseAlarms(flags, labels, 2)).toEqual({ trailing: 2, leading: 1, apart: 2 });
    // A gap in the labels inside one flagged span trails the labelled rows before it.
    expect(classifyFalseAlarms([1, 1, 1, 1, 1], [0, 1, 0, 1, 0], 0)).toEqual({ trailing: 2, leading: 1, apart: 0 });
  });

  it('pools counts over files before computing F1, FAR and MAR', () => {
    const total = sumSkabCounts([
      { truePositives: 8, falsePositives: 2, falseNegatives: 0, trueNegatives: 10 },
      { truePositives: 0, falsePositives: 0, falseNegatives: 4, trueNegatives: 6 },
    ]);
    expect(total).toEqual({ truePositives: 8, falsePositives: 2, falseNegatives: 4, trueNegatives: 16 });
    expect(skabRates(total)).toEqual({ f1: 16 / 22, falseAlarmRate: 2 / 18, missedAlarmRate: 4 / 12 });
  });
});

const PROJECT_ROOT = resolve(__dirname, '../..');

describe('bench:skab', () => {
  const metrics: readonly MetricSpec[] = [
    { name: 'vibration', level: 2.5, noise: 0.05, autoregression: 0 },
    { name: 'flow', level: 40, noise: 0.5, autoregression: 0.1 },
  ];
  const time = (t: number): string => new Date(START_TS + t * 1000).toISOString().slice(0, 19).replace('T', ' ');
  /** A SKAB file of `count` rows with a flow drop labelled over rows 600-799 (when the file reaches them). */
  const writeLabelled = (path: string, count: number, seed: number): void => {
    const rows = injectFault(generateRows(count, seed, metrics), 'flow', 600, (k) => (k < 200 ? -8 : 0), metrics);
    const lines = rows.map((row, t) => [time(t), ...row, t >= 600 && t < 800 ? 1 : 0, t === 600 || t === 800 ? 1 : 0].join(';'));
    writeFileSync(path, ['datetime;vibration;flow;anomaly;changepoint', ...lines].join('\n'));
  };
  const tempDirs: string[] = [];
  const tempDir = (): string => {
    const made = mkdtempSync(join(tmpdir(), 'skab-test-'));
    tempDirs.push(made);
    return made;
  };
  const cli = (args: readonly string[]) =>
    spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/benchSkab.ts', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    mkdirSync(join(dir, 'valve'));
    for (const seed of [1, 2]) writeLabelled(join(dir, 'valve', `${seed}.csv`), 900, seed);
    const free = generateRows(500, 3, metrics).map((row, t) => [time(t), ...row].join(';'));
    writeFileSync(join(dir, 'anomaly-free.csv'), ['datetime;vibration;flow', ...free].join('\n'));
  });
  afterAll(() => {
    for (const made of tempDirs) rmSync(made, { recursive: true, force: true });
  });

  it('scores the labelled files recursively and replays the ones without an anomaly column as a check on false alarms', () => {
    const result = benchSkab(dir);
    expect(result.skipped).toEqual([]);
    expect(result.checks).toEqual([{ name: 'anomaly-free.csv', judgedRows: 100, flaggedRows: 0, episodes: 0, alerts: 0 }]);
    expect(formatBenchSkabReport(dir, result).split('\n')).toContain('  anomaly-free.csv: 0 of 100 judged rows flagged (0.0%), 0 episodes, 0 alerts');
    expect(result.files.map((file) => file.name)).toEqual([join('valve', '1.csv'), join('valve', '2.csv')]);
    // 500 scored rows per file: 200 labelled anomalous.
    for (const { counts } of result.files) {
      expect(counts.truePositives + counts.falsePositives + counts.falseNegatives + counts.trueNegatives).toBe(500);
      expect(counts.truePositives).toBeGreaterThan(180);
    }
    expect(skabRates(result.total).f1).toBeGreaterThan(0.85);
    // Two changepoints per file (both edges of the label span), scored by NAB.
    expect(result.nab.hits.length + result.nab.missed).toBe(4);
  });

  it('counts the alerts the processor would publish on a recording without labels', () => {
    const own = tempDir();
    writeLabelled(join(own, 'labelled.csv'), 900, 1);
    // Three flow drops after the warm-up: at 500 s, at 700 s (inside the 900 s cooldown of the first), at 1,700 s.
    const drop = (k: number): number => (k < 60 ? -8 : 0);
    const rows = injectFault(injectFault(injectFault(generateRows(2_000, 4, metrics), 'flow', 500, drop, metrics), 'flow', 700, drop, metrics), 'flow', 1_700, drop, metrics);
    writeFileSync(join(own, 'normal.csv'), ['datetime;vibration;flow', ...rows.map((row, t) => [time(t), ...row].join(';'))].join('\n'));
    const [check] = benchSkab(own).checks;
    expect(check).toMatchObject({ name: 'normal.csv', episodes: 3, alerts: 2 });
  });

  it('scores NAB a second time on the changepoint column, the true changepoints the leaderboard scores, and says which files have it', () => {
    const marked = tempDir();
    writeLabelled(join(marked, '1.csv'), 900, 1);
    // SKAB marks the end of the onset's transition and the start of the recovery's too: four per anomaly.
    const rows = injectFault(generateRows(900, 2, metrics), 'flow', 600, (k) => (k < 200 ? -8 : 0), metrics);
    const lines = rows.map((row, t) => [time(t), ...row, t >= 600 && t < 800 ? 1 : 0, [600, 657, 743, 800].includes(t) ? 1 : 0].join(';'));
    writeFileSync(join(marked, '2.csv'), ['datetime;vibration;flow;anomaly;changepoint', ...lines].join('\n'));
    const unmarked = injectFault(generateRows(900, 3, metrics), 'flow', 600, (k) => (k < 200 ? -8 : 0), metrics);
    writeFileSync(join(marked, '3.csv'), ['datetime;vibration;flow;anomaly', ...unmarked.map((row, t) => [time(t), ...row, t >= 600 && t < 800 ? 1 : 0].join(';'))].join('\n'));
    const result = benchSkab(marked);
    const changepoints = (outcome: { hits: readonly number[]; missed: number } | undefined) => (outcome === undefined ? undefined : outcome.hits.length + outcome.missed);
    expect(result.files.map((file) => [file.name, changepoints(file.nab), changepoints(file.leaderboardNab)])).toEqual([
      ['1.csv', 2, 2],
      ['2.csv', 2, 4],
      ['3.csv', 2, undefined],
    ]);
    expect(result.leaderboardNab?.files).toBe(2);
    expect(changepoints(result.leaderboardNab?.outcome)).toBe(6);
    const report = formatBenchSkabReport(marked, result);
    expect(report).toMatch(/^NAB on the files' changepoint column \(.*, 2 of 3 files have it\): standard \d+\.\d\d {3}LowFP .* missed \d+ of 6 changepoints {3}false positives \d+$/m);
    expect(report).toMatch(/^> .* this detector \(streaming, 3 files\), on the changepoint column$/m);
  });

  it('pools the files of each folder under DIR, the fault families of SKAB', () => {
    const families = tempDir();
    for (const folder of ['valve', 'other']) mkdirSync(join(families, folder));
    writeLabelled(join(families, 'valve', '1.csv'), 900, 1);
    writeLabelled(join(families, 'valve', '2.csv'), 900, 2);
    writeLabelled(join(families, 'other', '1.csv'), 900, 3);
    const result = benchSkab(families);
    expect(result.folders.map((folder) => [folder.name, folder.files])).toEqual([
      ['other', 1],
      ['valve', 2],
    ]);
    const valve = result.files.filter((file) => file.name.startsWith('valve'));
    expect(result.folders[1].counts).toEqual(sumSkabCounts(valve.map((file) => file.counts)));
    const report = formatBenchSkabReport(families, result).split('\n');
    const header = report.findIndex((line) => line.startsWith('By folder'));
    expect(report[header + 1]).toBe('folder   files      F1     FAR     MAR     NAB  NABcol  CPmiss    CPfp onset s');
    expect(report[header + 3]).toMatch(/^valve +2 +\d\.\d{3} /);
    // One folder needs no table: its figures are the pooled ones.
    expect(formatBenchSkabReport(dir, benchSkab(dir))).not.toContain('By folder');
  });

  it('refuses a folder without labelled files instead of reporting an F1 of 0 that ranks itself', () => {
    const empty = tempDir();
    writeFileSync(join(empty, 'free.csv'), 'datetime;flow\n2026-01-05 08:00:00;1\n');
    expect(() => benchSkab(empty)).toThrow(new ReplayInputError(`no labelled SKAB file (*.csv with an anomaly column) under ${empty}`));
  });

  it('skips a file that ends within the 400-row warm-up with a note, and scores the rest', () => {
    const mixed = tempDir();
    writeLabelled(join(mixed, '1.csv'), 900, 1);
    writeLabelled(join(mixed, 'short.csv'), 299, 4);
    const result = benchSkab(mixed);
    expect(result.files.map((file) => file.name)).toEqual(['1.csv']);
    expect(result.skipped).toEqual([{ name: 'short.csv', reason: '299 rows, not more than the 400-row warm-up: nothing would be judged' }]);
    const report = formatBenchSkabReport(mixed, result).split('\n');
    expect(report.slice(0, 2)).toEqual([
      `SKAB benchmark of the streaming detector: 1 labelled files under ${mixed}`,
      'skipped short.csv: 299 rows, not more than the 400-row warm-up: nothing would be judged',
    ]);
  });

  it('refuses a folder whose labelled files all end within the warm-up (exit 1, one line naming them), never printing NaN', () => {
    const short = tempDir();
    writeLabelled(join(short, '1.csv'), 299, 1);
    writeLabelled(join(short, '2.csv'), 400, 2);
    const message = `no labelled SKAB file under ${short} has more rows than the 400-row warm-up: nothing would be judged (1.csv: 299 rows, 2.csv: 400 rows)`;
    expect(() => benchSkab(short)).toThrow(new ReplayInputError(message));
    const run = cli([short]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`bench:skab: ${message}\n`);
  });

  it('prints "-" for figures whose formula divides by zero and leaves them off both leaderboards', () => {
    // 50 judged rows, none labelled anomalous or flagged: F1, MAR and NAB are undefined (nabScore is NaN).
    const counts = { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 50 };
    const nab = { hits: [], missed: 0, falsePositives: 0 };
    const onset = { delays: [], missed: 0 };
    const falseAlarms = { trailing: 0, leading: 0, apart: 0 };
    const result: SkabBenchResult = { files: [{ name: 'quiet.csv', counts, falseAlarms, nab, onset }], folders: [], checks: [], skipped: [], total: counts, falseAlarms, nab, onset };
    const report = formatBenchSkabReport('skab', result);
    expect(report).not.toMatch(/NaN/);
    const lines = report.split('\n');
    expect(lines).toContain('pooled          0       0       0      50       -    0.0%       -       0       0       0       -');
    expect(lines).toContain('F1 -   false-alarm rate 0.0%   missed-alarm rate -');
    expect(lines).toContain('> -     this detector (streaming, 1 files): not ranked, no row after the 400-row warm-up is labelled anomalous');
    expect(lines).toContain(
      'NAB (changepoints: both edges of each label span and flagged span, 60 s windows): standard -   LowFP -   LowFN -   missed 0 of 0 changepoints   false positives 0',
    );
    expect(lines).toContain('>       -       -       -      0  this detector (streaming, 1 files): not ranked, no labelled changepoint after the 400-row warm-up');
    expect(lines.filter((line) => line.startsWith('>'))).toHaveLength(2);
  });

  it('refuses a settings file that sets another warm-up than the protocol\'s 400 rows, and takes one that sets 400', () => {
    const settingsDir = tempDir();
    const fifty = join(settingsDir, 'fifty.json');
    writeFileSync(fifty, '{"warmupSamples": 50}\n');
    const message = `settings file ${fifty} sets warmupSamples 50, but the SKAB protocol fixes the warm-up at 400 rows (leave it out or set 400)`;
    expect(() => parseBenchSkabArgs([dir, '--settings', fifty])).toThrow(new ReplayUsageError(message));
    const run = cli([dir, '--settings', fifty]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`bench:skab: ${message}\n`);
    // A deployed config/<env>.yaml sets the protocol's own value and stays usable as is.
    const deployed = join(settingsDir, 'env.yaml');
    writeFileSync(deployed, 'detection:\n  warmupSamples: 400\n  cooldownSeconds: 900\n');
    expect(parseBenchSkabArgs([dir, '--settings', deployed])).toEqual({ dir, settings: { warmupSamples: 400, cooldownSeconds: 900 } });
  });

  it('says in its usage that settings may be JSON or YAML', () => {
    expect(BENCH_SKAB_USAGE).toBe('usage: bench:skab -- DIR [--settings FILE.json|FILE.yaml]');
    expect(() => parseBenchSkabArgs([])).toThrow(new ReplayUsageError('missing DIR, the folder of SKAB files\nusage: bench:skab -- DIR [--settings FILE.json|FILE.yaml]'));
  });

  it('skips dangling links and loops of links under DIR with a note instead of crashing', () => {
    const linked = tempDir();
    writeLabelled(join(linked, '1.csv'), 900, 1);
    mkdirSync(join(linked, 'sub'));
    symlinkSync('missing.csv', join(linked, 'dangling.csv'));
    symlinkSync('b.csv', join(linked, 'a.csv'));
    symlinkSync('a.csv', join(linked, 'b.csv'));
    symlinkSync('..', join(linked, 'sub', 'up'));
    const chunks: string[] = [];
    runBenchSkab([linked], (chunk) => chunks.push(chunk));
    expect(chunks.join('').split('\n').slice(0, 6)).toEqual([
      `SKAB benchmark of the streaming detector: 1 labelled files under ${linked}`,
      'skipped a.csv: loop of symbolic links',
      'skipped b.csv: loop of symbolic links',
      'skipped dangling.csv: dangling symbolic link',
      `skipped ${join('sub', 'up')}: same folder as ., already listed`,
      '',
    ]);
    const run = cli([linked]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(chunks.join(''));
  });
});
