/**
 * Onset delay of the detector on SKAB files: for every 0→1 transition of the `anomaly` label after
 * the warm-up, the seconds from the labelled onset to the first flag at or after it while the
 * label is still 1. A span without any flag is a miss, counted apart (a delay would be undefined).
 *
 *   npx tsx scripts/lib/skabOnset.ts DIR [--settings FILE.json]
 *
 * prints the per-file delays and the pooled median and p90 (what bench:skab prints too).
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { DetectorSettings } from '../../functions/shared/detector';
import { readReplayFile } from './replayInput';
import { replayFile } from './replayRun';
import { readReplaySettings } from './replaySettings';
import { SKAB_WARMUP_ROWS } from './skabScore';
import { listCsvFiles } from './listCsvFiles';

export interface OnsetOutcome {
  /** Seconds from each detected onset to its first flag, in label order. */
  readonly delays: readonly number[];
  /** Onsets whose labelled span got no flag at all. */
  readonly missed: number;
}

/**
 * Delays of one file. `times` are epoch milliseconds; only onsets at or after `warmupRows` count
 * (an onset inside the warm-up cannot be judged). A flag already raised before the onset that is
 * still on at it counts as delay 0: the span is flagged from its start.
 */
export function onsetOutcome(times: ArrayLike<number>, labels: ArrayLike<number>, flags: ArrayLike<number>, warmupRows = SKAB_WARMUP_ROWS): OnsetOutcome {
  const delays: number[] = [];
  let missed = 0;
  for (let row = Math.max(warmupRows, 1); row < labels.length; row++) {
    if (!(labels[row] > 0) || labels[row - 1] > 0) continue;
    let found = -1;
    for (let at = row; at < labels.length && labels[at] > 0; at++) {
      if (flags[at] > 0) {
        found = at;
        break;
      }
    }
    if (found < 0) missed++;
    else delays.push((times[found] - times[row]) / 1000);
  }
  return { delays, missed };
}

export function sumOnsetOutcomes(outcomes: readonly OnsetOutcome[]): OnsetOutcome {
  return { delays: outcomes.flatMap((outcome) => outcome.delays), missed: outcomes.reduce((sum, outcome) => sum + outcome.missed, 0) };
}

/** Nearest-rank quantile (the smallest value with at least a share `p` of the values at or below it); NaN when empty. */
export function nearestRankQuantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1];
}

/** "median 12 s, p90 40 s, 14 detected, 2 missed": the line bench:skab prints per file and pooled. */
export function formatOnset(outcome: OnsetOutcome): string {
  const seconds = (value: number): string => (Number.isNaN(value) ? '-' : `${Number(value.toFixed(1))} s`);
  const median = nearestRankQuantile(outcome.delays, 0.5);
  const p90 = nearestRankQuantile(outcome.delays, 0.9);
  return `median ${seconds(median)}   p90 ${seconds(p90)}   detected ${outcome.delays.length}   missed ${outcome.missed}`;
}

/** Replays every labelled file under `dir` like bench:skab and returns each file's onsets. */
export function skabOnsets(dir: string, settings: DetectorSettings = {}): { readonly name: string; readonly onset: OnsetOutcome }[] {
  return listCsvFiles(dir).flatMap((path) => {
    const input = readReplayFile(path, 'skab');
    if (!input.labelled) return [];
    const result = replayFile(input, { ...settings, warmupSamples: SKAB_WARMUP_ROWS });
    const labels = input.samples.map((entry) => entry.label ?? 0);
    const times = input.samples.map((entry) => entry.sample.ts);
    return [{ name: relative(dir, path), onset: onsetOutcome(times, labels, result.anomalous) }];
  });
}

function main(): void {
  const parsed = parseArgs({ args: process.argv.slice(2), options: { settings: { type: 'string' } }, allowPositionals: true, strict: true });
  const [dir] = parsed.positionals;
  if (dir === undefined) {
    process.stderr.write('usage: tsx scripts/lib/skabOnset.ts DIR [--settings FILE.json]\n');
    process.exitCode = 2;
    return;
  }
  const settings: DetectorSettings = parsed.values.settings === undefined ? {} : readReplaySettings(parsed.values.settings);
  const files = skabOnsets(dir, settings);
  const width = Math.max(6, ...files.map((file) => file.name.length));
  for (const file of files) process.stdout.write(`${file.name.padEnd(width)} ${formatOnset(file.onset)}\n`);
  process.stdout.write(`${'pooled'.padEnd(width)} ${formatOnset(sumOnsetOutcomes(files.map((file) => file.onset)))}\n`);
}

if (require.main === module) main();
