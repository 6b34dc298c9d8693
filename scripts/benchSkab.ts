/**
 * Scores the production detector on SKAB files the way the SKAB leaderboard does:
 *
 *   npm run bench:skab -- DIR [--settings FILE.json]
 *
 * Every `*.csv` under DIR (recursively) with an `anomaly` column is replayed with a fresh
 * detector and a 400-row warm-up; rows after the warm-up are scored, TP/FP/FN/TN pooled over all
 * files, and the changepoints (both edges of every label span and of every flagged span) by the
 * leaderboard's NAB scoring, and the onset delay (seconds from each labelled onset to the first
 * flag inside its span; spans never flagged are counted as misses). Prints per-file counts, the
 * pooled F1 / false-alarm rate / missed-alarm rate, the NAB scores, the onset delays (median and
 * p90) and the leaderboard's published results beside them.
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
import { listCsvFiles } from './lib/listCsvFiles';

const USAGE = 'usage: bench:skab -- DIR [--settings FILE.json]';

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

export interface SkabBenchFile {
  readonly name: string;
  readonly counts: SkabCounts;
  readonly nab: NabOutcome;
  readonly onset: OnsetOutcome;
}

export interface SkabBenchResult {
  readonly files: readonly SkabBenchFile[];
  readonly skipped: readonly string[];
  readonly total: SkabCounts;
  readonly nab: NabOutcome;
  readonly onset: OnsetOutcome;
}

/** Replays and scores every labelled file under `dir`; refuses a folder without one (an empty score would rank itself). */
export function benchSkab(dir: string, settings: DetectorSettings = {}): SkabBenchResult {
  const files: SkabBenchFile[] = [];
  const skipped: string[] = [];
  for (const path of listCsvFiles(dir)) {
    const input = readReplayFile(path, 'skab');
    const name = relative(dir, path);
    if (!input.labelled) {
      skipped.push(name);
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
  if (files.length === 0) throw new ReplayInputError(`no labelled SKAB file (*.csv with an anomaly column) under ${dir}`);
  return {
    files,
    skipped,
    total: sumSkabCounts(files.map((file) => file.counts)),
    nab: sumNabOutcomes(files.map((file) => file.nab)),
    onset: sumOnsetOutcomes(files.map((file) => file.onset)),
  };
}

function formatReport(dir: string, result: SkabBenchResult): string {
  const lines: string[] = [];
  lines.push(`SKAB benchmark of the streaming detector: ${result.files.length} labelled files under ${dir}`);
  if (result.skipped.length > 0) lines.push(`skipped (no anomaly column): ${result.skipped.join(', ')}`);
  lines.push('');
  const nameWidth = Math.max(4, ...result.files.map((file) => file.name.length));
  const row = (cells: readonly string[]): string =>
    [cells[0].padEnd(nameWidth), ...cells.slice(1).map((cell) => cell.padStart(7))].join(' ');
  lines.push(row(['file', 'TP', 'FP', 'FN', 'TN', 'F1', 'FAR', 'MAR', 'CP', 'CPmiss', 'CPfp', 'onset s']));
  // The file's median onset delay; "miss" when none of its labelled spans got a flag.
  const onsetCell = (onset: OnsetOutcome): string =>
    onset.delays.length === 0 ? (onset.missed > 0 ? 'miss' : '-') : String(Number(nearestRankQuantile(onset.delays, 0.5).toFixed(1)));
  for (const { name, counts, nab, onset } of [...result.files, { name: 'pooled', counts: result.total, nab: result.nab, onset: result.onset }]) {
    const rates = skabRates(counts);
    lines.push(
      row([
        name,
        String(counts.truePositives),
        String(counts.falsePositives),
        String(counts.falseNegatives),
        String(counts.trueNegatives),
        rates.f1.toFixed(3),
        percent(rates.falseAlarmRate),
        percent(rates.missedAlarmRate),
        String(nab.hits.length + nab.missed),
        String(nab.missed),
        String(nab.falsePositives),
        onsetCell(onset),
      ]),
    );
  }
  const rates = skabRates(result.total);
  lines.push('');
  lines.push(
    `F1 ${rates.f1.toFixed(3)}   false-alarm rate ${percent(rates.falseAlarmRate)}   missed-alarm rate ${percent(rates.missedAlarmRate)}`,
  );
  lines.push(`onset delay (labelled onset to the first flag inside its span): ${formatOnset(result.onset)}`);
  lines.push('');
  lines.push('Beside the SKAB leaderboard (published F1 on the full benchmark of 34 files; offline models):');
  const entries = [
    ...SKAB_LEADERBOARD.map((entry) => ({ ...entry, ours: false })),
    { name: `this detector (streaming, ${result.files.length} files)`, f1: rates.f1, note: `FAR ${percent(rates.falseAlarmRate)}`, ours: true },
  ].sort((a, b) => b.f1 - a.f1 || Number(a.ours) - Number(b.ours));
  for (const entry of entries) {
    lines.push(`${entry.ours ? '>' : ' '} ${entry.f1.toFixed(2)}  ${entry.name}${entry.note === undefined ? '' : ` (${entry.note})`}`);
  }
  lines.push('');
  const [standard, lowFp, lowFn] = NAB_PROFILES.map((profile) => nabScore(result.nab, profile));
  const changepoints = result.nab.hits.length + result.nab.missed;
  lines.push(
    `NAB (changepoints: both edges of each label span and flagged span, 60 s windows): standard ${standard.toFixed(2)}   LowFP ${lowFp.toFixed(2)}   LowFN ${lowFn.toFixed(2)}   ` +
      `missed ${result.nab.missed} of ${changepoints} changepoints   false positives ${result.nab.falsePositives}`,
  );
  lines.push('');
  lines.push('Beside the SKAB changepoint leaderboard (published NAB on the full benchmark; offline models):');
  lines.push('   standard  LowFP   LowFN   false positives');
  const nabEntries = [
    ...NAB_LEADERBOARD.map((entry) => ({ ...entry, ours: false })),
    { name: `this detector (streaming, ${result.files.length} files)`, standard, lowFp, lowFn, falsePositives: result.nab.falsePositives, ours: true },
  ].sort((a, b) => b.standard - a.standard || Number(a.ours) - Number(b.ours));
  for (const entry of nabEntries) {
    const cells = [entry.standard, entry.lowFp, entry.lowFn].map((value) => value.toFixed(2).padStart(7)).join(' ');
    lines.push(`${entry.ours ? '>' : ' '} ${cells}  ${String(entry.falsePositives).padStart(5)}  ${entry.name}`);
  }
  return lines.join('\n') + '\n';
}

function main(): void {
  try {
    let parsed: { values: { settings?: string }; positionals: string[] };
    try {
      parsed = parseArgs({ args: process.argv.slice(2), options: { settings: { type: 'string' } }, allowPositionals: true, strict: true });
    } catch (error) {
      throw new ReplayUsageError(`${(error as Error).message}\n${USAGE}`);
    }
    const settings: DetectorSettings = parsed.values.settings === undefined ? {} : readReplaySettings(parsed.values.settings);
    const positional = parsed.positionals;
    if (positional.length !== 1) throw new ReplayUsageError(USAGE);
    const dir = positional[0];
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new ReplayUsageError(`not a directory: ${dir}`);
    process.stdout.write(formatReport(dir, benchSkab(dir, settings)));
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
