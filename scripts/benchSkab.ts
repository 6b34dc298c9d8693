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
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DetectorError, type DetectorSettings } from '../functions/shared/detector';
import { NAB_LEADERBOARD, NAB_PROFILES, nabOutcome, nabScore, sumNabOutcomes, type NabOutcome } from './lib/nabScore';
import { ReplayError, ReplayInputError, ReplayUsageError } from './lib/replayErrors';
import { readReplayFile } from './lib/replayInput';
import { replayFile } from './lib/replayRun';
import { readReplaySettings } from './lib/replaySettings';
import { formatOnset, nearestRankQuantile, onsetOutcome, sumOnsetOutcomes, type OnsetOutcome } from './lib/skabOnset';
import { countSkabFile, SKAB_LEADERBOARD, SKAB_WARMUP_ROWS, skabRates, sumSkabCounts, type SkabCounts } from './lib/skabScore';
import { listCsvFiles, naturalOrder } from './lib/listCsvFiles';

export const BENCH_SKAB_USAGE = 'usage: bench:skab -- DIR [--settings FILE.json|FILE.yaml]';

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

export interface SkabBenchFile {
  readonly name: string;
  readonly counts: SkabCounts;
  readonly nab: NabOutcome;
  readonly onset: OnsetOutcome;
}

/** An entry under DIR that was not scored, and why. */
export interface SkabBenchSkip {
  readonly name: string;
  readonly reason: string;
}

export interface SkabBenchResult {
  readonly files: readonly SkabBenchFile[];
  readonly skipped: readonly SkabBenchSkip[];
  readonly total: SkabCounts;
  readonly nab: NabOutcome;
  readonly onset: OnsetOutcome;
}

/**
 * Replays and scores every labelled file under `dir`. Files that end within the warm-up are
 * skipped (no row of theirs would be scored, yet they would count as benchmark files); a folder
 * left with nothing to judge is refused (an empty score would rank itself).
 */
export function benchSkab(dir: string, settings: DetectorSettings = {}): SkabBenchResult {
  const files: SkabBenchFile[] = [];
  const skipped: SkabBenchSkip[] = [];
  const short: string[] = [];
  for (const path of listCsvFiles(dir, (entry, reason) => skipped.push({ name: relative(dir, entry), reason }))) {
    const input = readReplayFile(path, 'skab');
    const name = relative(dir, path);
    if (!input.labelled) {
      skipped.push({ name, reason: 'no anomaly column' });
      continue;
    }
    const rows = input.samples.length;
    if (rows <= SKAB_WARMUP_ROWS) {
      skipped.push({ name, reason: `${rows} rows, not more than the ${SKAB_WARMUP_ROWS}-row warm-up: nothing would be judged` });
      short.push(`${name}: ${rows} rows`);
      continue;
    }
    const result = replayFile(input, { ...settings, warmupSamples: SKAB_WARMUP_ROWS });
    const labels = input.samples.map((entry) => entry.label ?? 0);
    const times = input.samples.map((entry) => entry.sample.ts);
    files.push({
      name,
      counts: countSkabFile(result.anomalous, labels),
      nab: nabOutcome(times, labels, result.anomalous, SKAB_WARMUP_ROWS),
      onset: onsetOutcome(times, labels, result.anomalous, SKAB_WARMUP_ROWS),
    });
  }
  if (files.length === 0) {
    if (short.length > 0) {
      throw new ReplayInputError(
        `no labelled SKAB file under ${dir} has more rows than the ${SKAB_WARMUP_ROWS}-row warm-up: nothing would be judged (${short.join(', ')})`,
      );
    }
    throw new ReplayInputError(`no labelled SKAB file (*.csv with an anomaly column) under ${dir}`);
  }
  return {
    files,
    skipped: skipped.sort((a, b) => naturalOrder(a.name, b.name)),
    total: sumSkabCounts(files.map((file) => file.counts)),
    nab: sumNabOutcomes(files.map((file) => file.nab)),
    onset: sumOnsetOutcomes(files.map((file) => file.onset)),
  };
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
  lines.push(`onset delay (labelled onset to the first flag inside its span): ${formatOnset(result.onset)}`);
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
  const nab = changepoints === 0 ? undefined : NAB_PROFILES.map((profile) => nabScore(result.nab, profile));
  const [standard, lowFp, lowFn] = (nab ?? NAB_PROFILES.map(() => undefined)).map((value) => (value === undefined ? '-' : value.toFixed(2)));
  lines.push(
    `NAB (changepoints: both edges of each label span and flagged span, 60 s windows): standard ${standard}   LowFP ${lowFp}   LowFN ${lowFn}   ` +
      `missed ${result.nab.missed} of ${changepoints} changepoints   false positives ${result.nab.falsePositives}`,
  );
  lines.push('');
  lines.push('Beside the SKAB changepoint leaderboard (published NAB on the full benchmark; offline models):');
  lines.push('   standard  LowFP   LowFN   false positives');
  const nabEntries = [
    ...NAB_LEADERBOARD.map((entry) => ({ ...entry, ours: false })),
    ...(nab === undefined
      ? []
      : [{ name: ours, standard: nab[0], lowFp: nab[1], lowFn: nab[2], falsePositives: result.nab.falsePositives, ours: true }]),
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
  readonly dir: string;
  readonly settings: DetectorSettings;
}

export function parseBenchSkabArgs(args: readonly string[]): BenchSkabOptions {
  let parsed: { values: { settings?: string }; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options: { settings: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ReplayUsageError(`${(error as Error).message}\n${BENCH_SKAB_USAGE}`);
  }
  const path = parsed.values.settings;
  const settings: DetectorSettings = path === undefined ? {} : readReplaySettings(path);
  // The benchmark replays with the protocol's warm-up whatever the file says; a file asking for
  // another would be silently ignored. 400 itself passes, so a deployed config/<env>.yaml still works.
  if (settings.warmupSamples !== undefined && settings.warmupSamples !== SKAB_WARMUP_ROWS) {
    throw new ReplayUsageError(
      `settings file ${path} sets warmupSamples ${settings.warmupSamples}, but the SKAB protocol fixes the warm-up at ${SKAB_WARMUP_ROWS} rows (leave it out or set ${SKAB_WARMUP_ROWS})`,
    );
  }
  const positional = parsed.positionals;
  if (positional.length !== 1) throw new ReplayUsageError(BENCH_SKAB_USAGE);
  const dir = positional[0];
  if (!statDirectory(dir)) throw new ReplayUsageError(`not a directory: ${dir}`);
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
  const { dir, settings } = parseBenchSkabArgs(args);
  write(formatBenchSkabReport(dir, benchSkab(dir, settings)));
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
