/**
 * False-alarm proxy on SKAB's anomaly-free recording: cuts it into consecutive chunks, replays
 * each chunk with a fresh detector and the benchmark's warm-up, and reports the share of the
 * judged (non-warm-up) rows that are flagged. Every flag there is a false alarm.
 *
 *   npx tsx scripts/lib/skabDriftCheck.ts FILE [--chunk N]... [--settings FILE.json]
 *
 * Without --chunk it reports chunk lengths 800, 1150 and 1500.
 */
import type { DetectorSettings } from '../../functions/shared/detector';
import { readReplayFile, type ReplayFile } from './replayInput';
import { replayFile } from './replayRun';
import { readReplaySettings } from './replaySettings';
import { SKAB_WARMUP_ROWS } from './skabScore';

export interface DriftCheckResult {
  readonly chunkRows: number;
  readonly chunks: number;
  /** Flagged share of the judged rows, per chunk. */
  readonly perChunk: readonly number[];
  readonly flagged: number;
  readonly judged: number;
  /** flagged / judged, pooled over the chunks. */
  readonly share: number;
}

/** Consecutive chunks of `chunkRows` rows (a shorter tail is dropped), each replayed with fresh detectors. */
export function driftCheck(file: ReplayFile, chunkRows: number, settings: DetectorSettings = {}, warmupRows = SKAB_WARMUP_ROWS): DriftCheckResult {
  if (!(chunkRows > warmupRows)) throw new Error(`chunk of ${chunkRows} rows leaves nothing after a ${warmupRows}-row warm-up`);
  const perChunk: number[] = [];
  let flagged = 0;
  let judged = 0;
  for (let start = 0; start + chunkRows <= file.samples.length; start += chunkRows) {
    const chunk: ReplayFile = { ...file, samples: file.samples.slice(start, start + chunkRows) };
    const result = replayFile(chunk, { ...settings, warmupSamples: warmupRows });
    let chunkFlagged = 0;
    for (let row = warmupRows; row < chunkRows; row++) chunkFlagged += result.anomalous[row];
    perChunk.push(chunkFlagged / (chunkRows - warmupRows));
    flagged += chunkFlagged;
    judged += chunkRows - warmupRows;
  }
  return { chunkRows, chunks: perChunk.length, perChunk, flagged, judged, share: judged === 0 ? 0 : flagged / judged };
}

function main(): void {
  const args = process.argv.slice(2);
  const chunkLengths: number[] = [];
  let settings: DetectorSettings = {};
  let path: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--chunk') chunkLengths.push(Number(args[++i]));
    else if (args[i] === '--settings') settings = readReplaySettings(args[++i]);
    else path = args[i];
  }
  if (path === undefined) {
    process.stderr.write('usage: tsx scripts/lib/skabDriftCheck.ts FILE [--chunk N]... [--settings FILE.json]\n');
    process.exitCode = 2;
    return;
  }
  const file = readReplayFile(path, 'skab');
  for (const rows of chunkLengths.length > 0 ? chunkLengths : [800, 1150, 1500]) {
    const result = driftCheck(file, rows, settings);
    const chunks = result.perChunk.map((share) => `${Math.round(share * 100)}`).join(' ');
    process.stdout.write(
      `chunks of ${rows} rows (${result.chunks}, ${SKAB_WARMUP_ROWS} warm-up): flagged ${(result.share * 100).toFixed(1)}% of ${result.judged} judged rows; per chunk % ${chunks}\n`,
    );
  }
}

if (require.main === module) main();
