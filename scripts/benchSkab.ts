/**
 * Scores the production detector on SKAB files the way the SKAB leaderboard does:
 *
 *   npm run bench:skab -- DIR [--settings FILE.json]
 *
 * Every `*.csv` under DIR (recursively) with an `anomaly` column is replayed with a fresh
 * detector and a 400-row warm-up; rows after the warm-up are scored, TP/FP/FN/TN pooled over all
 * files. Prints per-file counts, the pooled F1 / false-alarm rate / missed-alarm rate, and the
 * leaderboard's published results beside them.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DetectorError, type DetectorSettings } from '../functions/shared/detector';
import { ReplayError, ReplayUsageError } from './lib/replayErrors';
import { readReplayFile } from './lib/replayInput';
import { replayFile } from './lib/replayRun';
import { readReplaySettings } from './lib/replaySettings';
import { countSkabFile, SKAB_LEADERBOARD, SKAB_WARMUP_ROWS, skabRates, sumSkabCounts, type SkabCounts } from './lib/skabScore';

const USAGE = 'usage: bench:skab -- DIR [--settings FILE.json]';

function listCsvFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return listCsvFiles(path);
      return entry.endsWith('.csv') ? [path] : [];
    });
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

export interface SkabBenchResult {
  readonly files: readonly { readonly name: string; readonly counts: SkabCounts }[];
  readonly skipped: readonly string[];
  readonly total: SkabCounts;
}

export function benchSkab(dir: string, settings: DetectorSettings = {}): SkabBenchResult {
  const files: { name: string; counts: SkabCounts }[] = [];
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
    files.push({ name, counts: countSkabFile(result.anomalous, labels) });
  }
  return { files, skipped, total: sumSkabCounts(files.map((file) => file.counts)) };
}

function formatReport(dir: string, result: SkabBenchResult): string {
  const lines: string[] = [];
  lines.push(`SKAB benchmark of the streaming detector: ${result.files.length} labelled files under ${dir}`);
  if (result.skipped.length > 0) lines.push(`skipped (no anomaly column): ${result.skipped.join(', ')}`);
  lines.push('');
  const nameWidth = Math.max(4, ...result.files.map((file) => file.name.length));
  const row = (cells: readonly string[]): string =>
    [cells[0].padEnd(nameWidth), ...cells.slice(1).map((cell) => cell.padStart(7))].join(' ');
  lines.push(row(['file', 'TP', 'FP', 'FN', 'TN', 'F1', 'FAR', 'MAR']));
  for (const { name, counts } of [...result.files, { name: 'pooled', counts: result.total }]) {
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
      ]),
    );
  }
  const rates = skabRates(result.total);
  lines.push('');
  lines.push(
    `F1 ${rates.f1.toFixed(3)}   false-alarm rate ${percent(rates.falseAlarmRate)}   missed-alarm rate ${percent(rates.missedAlarmRate)}`,
  );
  lines.push('');
  lines.push('Beside the SKAB leaderboard (published F1 on the full benchmark of 34 files; offline models):');
  const entries = [
    ...SKAB_LEADERBOARD.map((entry) => ({ ...entry, ours: false })),
    { name: `this detector (streaming, ${result.files.length} files)`, f1: rates.f1, note: `FAR ${percent(rates.falseAlarmRate)}`, ours: true },
  ].sort((a, b) => b.f1 - a.f1 || Number(a.ours) - Number(b.ours));
  for (const entry of entries) {
    lines.push(`${entry.ours ? '>' : ' '} ${entry.f1.toFixed(2)}  ${entry.name}${entry.note === undefined ? '' : ` (${entry.note})`}`);
  }
  return lines.join('\n') + '\n';
}

function main(): void {
  const args = process.argv.slice(2);
  try {
    let settings: DetectorSettings = {};
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--settings') {
        const path = args[++i];
        if (path === undefined) throw new ReplayUsageError(`--settings needs a file\n${USAGE}`);
        settings = readReplaySettings(path);
      } else if (args[i].startsWith('--')) throw new ReplayUsageError(`unknown option ${args[i]}\n${USAGE}`);
      else positional.push(args[i]);
    }
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
