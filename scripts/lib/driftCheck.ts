import type { DetectorSettings } from '../../functions/shared/detector';
import type { ReplayFile } from './readReplayFile';
import { replayFile } from './replayRun';
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
