/**
 * Scores the production detector on SKAB files the way the SKAB leaderboard does:
 *
 *   npm run bench:skab -- DIR [--settings FILE.json|FILE.yaml]
 *
 * Every `*.csv` under DIR (recursively) with an `anomaly` column is replayed with a fresh
 * detector and a 400-row warm-up; rows after the warm-up are scored, TP/FP/FN/TN pooled over all
 * files, and the changepoints (both edges of every label span and of every flagged span) by the
 * leaderboard's NAB scoring, and the onset delay (seconds from each labelled onset to the first
 * flag inside its span; spans never flagged are counted as misses). Prints per-file counts, the
 * pooled F1 / false-alarm rate / missed-alarm rate, the NAB scores, the onset delays (median and
 * p90) and the leaderboard's published results beside them.
 *
 * Left out, each with a note line: files without an `anomaly` column, files no longer than the
 * warm-up (nothing in them is judged), dangling links, loops of links and a second way into a
 * folder already listed. A folder with nothing left to judge is refused. A rate whose formula
 * divides by zero prints `-`, and without a labelled anomalous row (F1) or changepoint (NAB) after
 * the warm-up the detector is not ranked: a 0 or NaN there would rank itself. `--settings` takes
 * the detection settings replay takes, except that the warm-up is the protocol's: a file setting
 * another `warmupSamples` is refused.
 */
import { statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { DetectorError, type DetectorSettings } from '../functions/shared/detector';
import { NAB_LEADERBOARD, NAB_PROFILES, nabScore, type NabOutcome } from './lib/nabScore';
import { markedRows } from './lib/markedRows';
import { nabOutcome } from './lib/nabOutcome';
import { nabOutcomeAt } from './lib/nabOutcomeAt';
import { sumNabOutcomes } from './lib/sumNabOutcomes';
import { ReplayError, ReplayInputError, ReplayUsageError } from './lib/replayErrors';
import { readReplayFile, type ReplayFile } from './lib/readReplayFile';
import { replayFile } from './lib/replayRun';
import { readReplaySettings } from './lib/replaySettings';
import { classifyFalseAlarms, type FalseAlarmKinds } from './lib/classifyFalseAlarms';
import { sumFalseAlarmKinds } from './lib/sumFalseAlarmKinds';
import { formatOnset } from './lib/formatOnset';
import { nearestRankQuantile } from './lib/nearestRankQuantile';
import { onsetOutcome, type OnsetOutcome } from './lib/onsetOutcome';
import { sumOnsetOutcomes } from './lib/sumOnsetOutcomes';
import { SKAB_LEADERBOARD, SKAB_WARMUP_ROWS, type SkabCounts } from './lib/skabScore';
import { countSkabFile } from './lib/countSkabFile';
import { skabRates } from './lib/skabRates';
import { sumSkabCounts } from './lib/sumSkabCounts';
import { listCsvFiles } from './lib/listCsvFiles';
import { naturalOrder } from './lib/naturalOrder';
import { helpRequested } from './lib/helpRequested';
import { refuseRepeatedFlags } from './lib/refuseRepeatedFlags';
import { parseArgsProblem } from './lib/parseArgsProblem';
import { resolveUserPath } from './lib/resolveUserPath';

export const BENCH_SKAB_USAGE = 'usage: bench:skab -- DIR [--settings FILE.json|FILE.yaml]';

/** The flags `bench:skab` takes; the usage names each of them (a test holds them together). */
export const BENCH_SKAB_FLAGS = { settings: { type: 'string' } } as const;

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** Scores of one labelled file, or pooled over several. */
export interface SkabScores {
  readonly counts: SkabCounts;
  /** The false-positive rows by the flagged span that holds them. */
  readonly falseAlarms: FalseAlarmKinds;
  readonly nab: NabOutcome;
  /**
   * NAB against the file's own `changepoint` column, the true changepoints the changepoint
   * leaderboard scores (SKAB marks the start and end of each fault's transitions there, about
   * four per anomaly); absent without that column.
   */
  readonly leaderboardNab?: NabOutcome;
  readonly onset: OnsetOutcome;
}

export interface SkabBenchFile extends SkabScores {
  readonly name: string;
}

/** Files of one folder directly under DIR pooled: SKAB keeps one kind of fault per folder. */
export interface SkabBenchFolder extends SkabScores {
  /** The folder's name, `.` for the files directly under DIR. */
  readonly name: string;
  readonly files: number;
}

/**
 * A file without labels, replayed as a check on false alarms: SKAB's anomaly-free recording is
 * normal operation throughout, so every flag there is a false one.
 */
export interface SkabFalseAlarmCheck {
  readonly name: string;
  readonly judgedRows: number;
  readonly flaggedRows: number;
  readonly episodes: number;
  /** Alerts the processor would have published: what operators of such an asset receive. */
  readonly alerts: number;
}

/** An entry under DIR that was not scored, and why. */
export interface SkabBenchSkip {
  readonly name: string;
  readonly reason: string;
}

export interface SkabBenchResult {
  readonly files: readonly SkabBenchFile[];
  readonly folders: readonly SkabBenchFolder[];
  readonly checks: readonly SkabFalseAlarmCheck[];
  readonly skipped: readonly SkabBenchSkip[];
  readonly total: SkabCounts;
  readonly falseAlarms: FalseAlarmKinds;
  readonly nab: NabOutcome;
  /** Pooled over the files with a `changepoint` column (`files` of them); absent when none has one. */
  readonly leaderboardNab?: { readonly outcome: NabOutcome; readonly files: number };
  readonly onset: OnsetOutcome;
}

/**
 * Replays and scores every labelled file under `dir`, and replays the unlabelled ones as checks
 * on false alarms. Files that end within the warm-up are skipped (no row of theirs would be
 * scored, yet they would count as benchmark files); a folder left with no labelled file to judge
 * is refused (an empty score would rank itself).
 */
/** `shownDir`: DIR as the user gave it, which messages name (the tools print paths as given). */
export function benchSkab(dir: string, settings: DetectorSettings = {}, shownDir: string = dir): SkabBenchResult {
  const files: SkabBenchFile[] = [];
  const checks: SkabFalseAlarmCheck[] = [];
  const skipped: SkabBenchSkip[] = [];
  const short: string[] = [];
  for (const path of listCsvFiles(dir, (entry, reason) => skipped.push({ name: relative(dir, entry), reason }))) {
    const name = relative(dir, path);
    const input = readReplayFile(path, 'skab', join(shownDir, name));
    const rows = input.samples.length;
    if (rows <= SKAB_WARMUP_ROWS) {
      skipped.push({ name, reason: `${rows} rows, not more than the ${SKAB_WARMUP_ROWS}-row warm-up: nothing would be judged` });
      if (input.labelled) short.push(`${name}: ${rows} rows`);
      continue;
    }
    let alerts = 0;
    const result = replayFile(input, { ...settings, warmupSamples: SKAB_WARMUP_ROWS }, (_, verdict) => {
      if (verdict.episode.alert) alerts++;
    });
    if (input.labelled) files.push({ name, ...scoreFile(input, result.anomalous) });
    else checks.push(falseAlarmCheck(name, result.anomalous, alerts));
  }
  if (files.length === 0) {
    if (short.length > 0) {
      throw new ReplayInputError(
        `no labelled SKAB file under ${shownDir} has more rows than the ${SKAB_WARMUP_ROWS}-row warm-up: nothing would be judged (${short.join(', ')})`,
      );
    }
    throw new ReplayInputError(`no labelled SKAB file (*.csv with an anomaly column) under ${shownDir}`);
  }
  const pooled = poolScores(files);
  const { leaderboardNab, ...scores } = pooled;
  const withColumn = files.filter((file) => file.leaderboardNab !== undefined).length;
  return {
    files,
    folders: groupByFolder(files),
    checks,
    skipped: skipped.sort((a, b) => naturalOrder(a.name, b.name)),
    total: scores.counts,
    falseAlarms: scores.falseAlarms,
    nab: scores.nab,
    ...(leaderboardNab === undefined ? {} : { leaderboardNab: { outcome: leaderboardNab, files: withColumn } }),
    onset: scores.onset,
  };
}

function scoreFile(input: ReplayFile, flags: Uint8Array): SkabScores {
  const labels = input.samples.map((entry) => entry.label ?? 0);
  const times = input.samples.map((entry) => entry.sample.ts);
  const changepoints = input.changepointLabelled ? markedRows(input.samples.map((entry) => entry.changepoint ?? 0), SKAB_WARMUP_ROWS) : undefined;
  return {
    counts: countSkabFile(flags, labels),
    falseAlarms: classifyFalseAlarms(flags, labels, SKAB_WARMUP_ROWS),
    nab: nabOutcome(times, labels, flags, SKAB_WARMUP_ROWS),
    ...(changepoints === undefined ? {} : { leaderboardNab: nabOutcomeAt(times, changepoints, flags, SKAB_WARMUP_ROWS) }),
    onset: onsetOutcome(times, labels, flags, SKAB_WARMUP_ROWS),
  };
}

function falseAlarmCheck(name: string, flags: Uint8Array, alerts: number): SkabFalseAlarmCheck {
  let flaggedRows = 0;
  let episodes = 0;
  for (let row = SKAB_WARMUP_ROWS; row < flags.length; row++) {
    if (flags[row] === 0) continue;
    flaggedRows++;
    if (row === SKAB_WARMUP_ROWS || flags[row - 1] === 0) episodes++;
  }
  return { name, judgedRows: flags.length - SKAB_WARMUP_ROWS, flaggedRows, episodes, alerts };
}

function poolScores(scores: readonly SkabScores[]): SkabScores {
  const leaderboard = scores.flatMap((entry) => (entry.leaderboardNab === undefined ? [] : [entry.leaderboardNab]));
  return {
    counts: sumSkabCounts(scores.map((entry) => entry.counts)),
    falseAlarms: sumFalseAlarmKinds(scores.map((entry) => entry.falseAlarms)),
    nab: sumNabOutcomes(scores.map((entry) => entry.nab)),
    ...(leaderboard.length === 0 ? {} : { leaderboardNab: sumNabOutcomes(leaderboard) }),
    onset: sumOnsetOutcomes(scores.map((entry) => entry.onset)),
  };
}

/** Pools the files by the folder directly under DIR that holds them, in natural order. */
function groupByFolder(files: readonly SkabBenchFile[]): SkabBenchFolder[] {
  const byFolder = new Map<string, SkabBenchFile[]>();
  for (const file of files) {
    const parts = file.name.split(sep);
    const folder = parts.length > 1 ? parts[0] : '.';
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), file]);
  }
  return [...byFolder.entries()]
    .sort(([a], [b]) => naturalOrder(a, b))
    .map(([name, members]) => ({ name, files: members.length, ...poolScores(members) }));
}

/** F1, FAR and MAR as printed: `-` where the formula divides by zero (skabRates reports 0 there, which would read as a measurement). */
function rateCells(counts: SkabCounts): { readonly f1: string; readonly falseAlarmRate: string; readonly missedAlarmRate: string } {
  const { truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: tn } = counts;
  const rates = skabRates(counts);
  return {
    f1: 2 * tp + fp + fn === 0 ? '-' : rates.f1.toFixed(3),
    falseAlarmRate: fp + tn === 0 ? '-' : percent(rates.falseAlarmRate),
    missedAlarmRate: fn + tp === 0 ? '-' : percent(rates.missedAlarmRate),
  };
}

/** The three profiles' scores, or undefined without a changepoint (nabScore is NaN then). */
function nabScores(outcome: NabOutcome): number[] | undefined {
  return outcome.hits.length + outcome.missed === 0 ? undefined : NAB_PROFILES.map((profile) => nabScore(outcome, profile));
}

/** The three profiles' scores as printed: `-` for each when there is no changepoint. */
function scoreCells(scores: readonly number[] | undefined): string[] {
  return (scores ?? NAB_PROFILES.map(() => Number.NaN)).map((value) => (Number.isNaN(value) ? '-' : value.toFixed(2)));
}

/** The per-folder table, when the files come from more than one folder. */
function formatFolders(folders: readonly SkabBenchFolder[]): string[] {
  if (folders.length < 2) return [];
  const nameWidth = Math.max(6, ...folders.map((folder) => folder.name.length));
  const row = (cells: readonly string[]): string => [cells[0].padEnd(nameWidth), ...cells.slice(1).map((cell) => cell.padStart(7))].join(' ');
  const lines = ['', 'By folder (SKAB keeps one kind of fault per folder; NAB standard on label edges, and on the changepoint column):'];
  lines.push(row(['folder', 'files', 'F1', 'FAR', 'MAR', 'NAB', 'NABcol', 'CPmiss', 'CPfp', 'onset s']));
  for (const folder of folders) {
    const rates = rateCells(folder.counts);
    const standard = (outcome: NabOutcome | undefined): string => {
      const scores = outcome === undefined ? undefined : nabScores(outcome);
      return scores === undefined ? '-' : scores[0].toFixed(2);
    };
    const onset = nearestRankQuantile(folder.onset.delays, 0.5);
    lines.push(
      row([
        folder.name,
        String(folder.files),
        rates.f1,
        rates.falseAlarmRate,
        rates.missedAlarmRate,
        standard(folder.nab),
        standard(folder.leaderboardNab),
        String(folder.nab.missed),
        String(folder.nab.falsePositives),
        Number.isNaN(onset) ? '-' : String(Number(onset.toFixed(1))),
      ]),
    );
  }
  return lines;
}

/** The unlabelled files' flags: in a recording of normal operation each is a false alarm. */
function formatChecks(checks: readonly SkabFalseAlarmCheck[]): string[] {
  if (checks.length === 0) return [];
  const lines = ['', 'Files without labels, replayed as a check on false alarms (in a recording of normal operation, like SKAB\'s anomaly-free.csv, every flag is one):'];
  for (const check of checks) {
    const share = check.judgedRows === 0 ? '-' : percent(check.flaggedRows / check.judgedRows);
    const episodes = `${check.episodes} ${check.episodes === 1 ? 'episode' : 'episodes'}`;
    lines.push(`  ${check.name}: ${check.flaggedRows} of ${check.judgedRows} judged rows flagged (${share}), ${episodes}, ${check.alerts} ${check.alerts === 1 ? 'alert' : 'alerts'}`);
  }
  return lines;
}

export function formatBenchSkabReport(dir: string, result: SkabBenchResult): string {
  const lines: string[] = [];
  lines.push(`SKAB benchmark of the streaming detector: ${result.files.length} labelled files under ${dir}`);
  for (const { name, reason } of result.skipped) lines.push(`skipped ${name}: ${reason}`);
  lines.push('');
  const nameWidth = Math.max(4, ...result.files.map((file) => file.name.length));
  const row = (cells: readonly string[]): string =>
    [cells[0].padEnd(nameWidth), ...cells.slice(1).map((cell) => cell.padStart(7))].join(' ');
  lines.push(row(['file', 'TP', 'FP', 'FN', 'TN', 'F1', 'FAR', 'MAR', 'CP', 'CPmiss', 'CPfp', 'onset s']));
  // The file's median onset delay; "miss" when none of its labelled spans got a flag.
  const onsetCell = (onset: OnsetOutcome): string =>
    onset.delays.length === 0 ? (onset.missed > 0 ? 'miss' : '-') : String(Number(nearestRankQuantile(onset.delays, 0.5).toFixed(1)));
  for (const { name, counts, nab, onset } of [...result.files, { name: 'pooled', counts: result.total, nab: result.nab, onset: result.onset }]) {
    const rates = rateCells(counts);
    lines.push(
      row([
        name,
        String(counts.truePositives),
        String(counts.falsePositives),
        String(counts.falseNegatives),
        String(counts.trueNegatives),
        rates.f1,
        rates.falseAlarmRate,
        rates.missedAlarmRate,
        String(nab.hits.length + nab.missed),
        String(nab.missed),
        String(nab.falsePositives),
        onsetCell(onset),
      ]),
    );
  }
  const rates = skabRates(result.total);
  const cells = rateCells(result.total);
  lines.push('');
  lines.push(`F1 ${cells.f1}   false-alarm rate ${cells.falseAlarmRate}   missed-alarm rate ${cells.missedAlarmRate}`);
  const { trailing, leading, apart } = result.falseAlarms;
  lines.push(`false-positive rows: ${trailing} trailing a labelled span (flags held after the label ended), ${leading} leading one, ${apart} in episodes of their own`);
  lines.push(`onset delay (labelled onset to the first flag inside its span): ${formatOnset(result.onset)}`);
  lines.push(...formatFolders(result.folders), ...formatChecks(result.checks));
  lines.push('');
  lines.push('Beside the SKAB leaderboard (published F1 on the full benchmark of 34 files; offline models):');
  const ours = `this detector (streaming, ${result.files.length} files)`;
  // Without a labelled anomaly row recall is undefined: an F1 of 0 (or of nothing) is not comparable to the leaderboard's.
  const f1Ranked = result.total.truePositives + result.total.falseNegatives > 0;
  const entries = [
    ...SKAB_LEADERBOARD.map((entry) => ({ ...entry, ours: false })),
    ...(f1Ranked ? [{ name: ours, f1: rates.f1, note: `FAR ${cells.falseAlarmRate}`, ours: true }] : []),
  ].sort((a, b) => b.f1 - a.f1 || Number(a.ours) - Number(b.ours));
  for (const entry of entries) {
    lines.push(`${entry.ours ? '>' : ' '} ${entry.f1.toFixed(2)}  ${entry.name}${entry.note === undefined ? '' : ` (${entry.note})`}`);
  }
  if (!f1Ranked) lines.push(`> ${'-'.padEnd(4)}  ${ours}: not ranked, no row after the ${SKAB_WARMUP_ROWS}-row warm-up is labelled anomalous`);
  lines.push('');
  const changepoints = result.nab.hits.length + result.nab.missed;
  // nabScore is NaN without a changepoint; only scores that exist are printed and ranked.
  const nab = nabScores(result.nab);
  const [standard, lowFp, lowFn] = scoreCells(nab);
  lines.push(
    `NAB (changepoints: both edges of each label span and flagged span, 60 s windows): standard ${standard}   LowFP ${lowFp}   LowFN ${lowFn}   ` +
      `missed ${result.nab.missed} of ${changepoints} changepoints   false positives ${result.nab.falsePositives}`,
  );
  const column = result.leaderboardNab;
  const columnScores = column === undefined ? undefined : nabScores(column.outcome);
  if (column !== undefined) {
    const [standardColumn, lowFpColumn, lowFnColumn] = scoreCells(columnScores);
    const share = column.files === result.files.length ? '' : `, ${column.files} of ${result.files.length} files have it`;
    lines.push(
      `NAB on the files' changepoint column (the true changepoints the leaderboard scores: SKAB marks where each fault's transitions start and end, about 4 per anomaly${share}): ` +
        `standard ${standardColumn}   LowFP ${lowFpColumn}   LowFN ${lowFnColumn}   ` +
        `missed ${column.outcome.missed} of ${column.outcome.hits.length + column.outcome.missed} changepoints   false positives ${column.outcome.falsePositives}`,
    );
  }
  lines.push('');
  lines.push('Beside the SKAB changepoint leaderboard (published NAB on the full benchmark; offline models):');
  lines.push('   standard  LowFP   LowFN   false positives');
  const nabEntries = [
    ...NAB_LEADERBOARD.map((entry) => ({ ...entry, ours: false })),
    ...(nab === undefined
      ? []
      : [{ name: ours, standard: nab[0], lowFp: nab[1], lowFn: nab[2], falsePositives: result.nab.falsePositives, ours: true }]),
    ...(column === undefined || columnScores === undefined
      ? []
      : [
          {
            name: `${ours}, on the changepoint column`,
            standard: columnScores[0],
            lowFp: columnScores[1],
            lowFn: columnScores[2],
            falsePositives: column.outcome.falsePositives,
            ours: true,
          },
        ]),
  ].sort((a, b) => b.standard - a.standard || Number(a.ours) - Number(b.ours));
  for (const entry of nabEntries) {
    const scores = [entry.standard, entry.lowFp, entry.lowFn].map((value) => value.toFixed(2).padStart(7)).join(' ');
    lines.push(`${entry.ours ? '>' : ' '} ${scores}  ${String(entry.falsePositives).padStart(5)}  ${entry.name}`);
  }
  if (nab === undefined) {
    const scores = ['-', '-', '-'].map((value) => value.padStart(7)).join(' ');
    lines.push(`> ${scores}  ${String(result.nab.falsePositives).padStart(5)}  ${ours}: not ranked, no labelled changepoint after the ${SKAB_WARMUP_ROWS}-row warm-up`);
  }
  return lines.join('\n') + '\n';
}

export interface BenchSkabOptions {
  /** DIR as given: relative to the folder the user ran the tool in (resolveUserPath). */
  readonly dir: string;
  readonly settings: DetectorSettings;
}

/** The options of a bench:skab command line, 'help' for `--help`/`-h`, or a ReplayUsageError. */
export function parseBenchSkabArgs(args: readonly string[]): BenchSkabOptions | 'help' {
  if (helpRequested(args)) return 'help';
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof BENCH_SKAB_FLAGS; allowPositionals: true; strict: true; tokens: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options: BENCH_SKAB_FLAGS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new ReplayUsageError(`${parseArgsProblem(error)}\n${BENCH_SKAB_USAGE}`);
  }
  refuseRepeatedFlags(parsed.tokens, BENCH_SKAB_FLAGS, (message) => new ReplayUsageError(message));
  const path = parsed.values.settings;
  const settings: DetectorSettings = path === undefined ? {} : readReplaySettings(resolveUserPath(path), path);
  // The benchmark replays with the protocol's warm-up whatever the file says; a file asking for
  // another would be silently ignored. 400 itself passes, so a deployed config/<env>.yaml still works.
  if (settings.warmupSamples !== undefined && settings.warmupSamples !== SKAB_WARMUP_ROWS) {
    throw new ReplayUsageError(
      `settings file ${path} sets warmupSamples ${settings.warmupSamples}, but the SKAB protocol fixes the warm-up at ${SKAB_WARMUP_ROWS} rows (leave it out or set ${SKAB_WARMUP_ROWS})`,
    );
  }
  const positional = parsed.positionals;
  if (positional.length === 0) throw new ReplayUsageError(`missing DIR, the folder of SKAB files\n${BENCH_SKAB_USAGE}`);
  if (positional.length > 1) throw new ReplayUsageError(`one DIR, got ${positional.length}: ${positional.map((arg) => JSON.stringify(arg)).join(' ')}\n${BENCH_SKAB_USAGE}`);
  const dir = positional[0];
  if (!statDirectory(resolveUserPath(dir))) throw new ReplayUsageError(`not a directory: ${dir}`);
  return { dir, settings };
}

/** Whether `path` is a directory; a dangling link or a loop of links is not (statSync throws ELOOP even with throwIfNoEntry off). */
function statDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

export function runBenchSkab(args: readonly string[], write: (chunk: string) => void): void {
  const options = parseBenchSkabArgs(args);
  if (options === 'help') {
    write(`${BENCH_SKAB_USAGE}\n`);
    return;
  }
  // Listed from the user's folder; the report names DIR as given.
  write(formatBenchSkabReport(options.dir, benchSkab(resolveUserPath(options.dir), options.settings, options.dir)));
}

function main(): void {
  try {
    runBenchSkab(process.argv.slice(2), (chunk) => process.stdout.write(chunk));
  } catch (error) {
    if (error instanceof ReplayError || error instanceof DetectorError) {
      process.stderr.write(`bench:skab: ${error.message}\n`);
      process.exitCode = error instanceof ReplayError ? error.exitCode : 2;
      return;
    }
    throw error;
  }
}

if (require.main === module) main();
