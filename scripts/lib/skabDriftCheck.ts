/**
 * False-alarm proxy on SKAB's anomaly-free recording: cuts it into consecutive chunks, replays
 * each chunk with a fresh detector and the benchmark's warm-up, and reports the share of the
 * judged (non-warm-up) rows that are flagged. Every flag there is a false alarm.
 *
 *   npx tsx scripts/lib/skabDriftCheck.ts FILE [--chunk N]... [--settings FILE.json]
 *
 * Without --chunk it reports the chunk lengths of SKAB_DRIFT_CHUNK_ROWS.
 */
import { parseArgs } from 'node:util';
import type { DetectorSettings } from '../../functions/shared/detector';
import { helpRequested } from './helpRequested';
import { readReplayFile, type ReplayFile } from './replayInput';
import { replayFile } from './replayRun';
import { readReplaySettings } from './replaySettings';
import { SKAB_WARMUP_ROWS } from './skabScore';

/** Chunk lengths (rows) the drift check and the sweep report by default: around the length of SKAB's labelled files. */
export const SKAB_DRIFT_CHUNK_ROWS: readonly number[] = [800, 1150, 1500];

export const DRIFT_CHECK_USAGE = 'usage: npx tsx scripts/lib/skabDriftCheck.ts FILE [--chunk N]... [--settings FILE.json]';

/** The flags skabDriftCheck takes (DRIFT_CHECK_USAGE names each of them). */
export const DRIFT_CHECK_FLAGS = { chunk: { type: 'string', multiple: true }, settings: { type: 'string' } } as const;

export interface DriftCheckOptions {
  /** The anomaly-free recording (SKAB CSV). */
  readonly path: string;
  /** Chunk lengths in rows, in the order given; SKAB_DRIFT_CHUNK_ROWS without --chunk. */
  readonly chunkRows: readonly number[];
  /** Detector settings file (JSON or YAML). @default - the detector's defaults */
  readonly settingsFile?: string;
}

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

/**
 * Parses the command line: 'help' for `--help`/`-h`, else the options, or an Error of one line naming
 * the argument, with the usage. Tokens are checked here rather than by parseArgs' strict mode, whose
 * message for an unknown flag suggests `--` instead of naming what is allowed.
 */
export function parseDriftCheckArgs(args: readonly string[]): DriftCheckOptions | 'help' {
  if (helpRequested(args)) return 'help';
  const { tokens } = parseArgs({ args: [...args], options: DRIFT_CHECK_FLAGS, strict: false, allowPositionals: true, tokens: true });
  const paths: string[] = [];
  const chunkRows: number[] = [];
  let settingsFile: string | undefined;
  for (const token of tokens) {
    if (token.kind === 'positional') paths.push(token.value);
    if (token.kind !== 'option') continue;
    if (!(token.name in DRIFT_CHECK_FLAGS)) {
      const value = token.value === undefined ? '' : ` (value ${JSON.stringify(token.value)})`;
      throw new Error(`${token.rawName}: unknown flag${value}; ${DRIFT_CHECK_USAGE}`);
    }
    // A separate value that looks like a flag (`--chunk --settings x`) means the value was forgotten.
    if (token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('-'))) {
      throw new Error(`${token.rawName}: missing value; ${DRIFT_CHECK_USAGE}`);
    }
    if (token.name === 'settings') settingsFile = token.value;
    else {
      const rows = /^\d+$/.test(token.value) ? Number(token.value) : Number.NaN;
      if (!(rows > SKAB_WARMUP_ROWS)) {
        throw new Error(`--chunk must be a whole number of rows above the ${SKAB_WARMUP_ROWS}-row warm-up, got ${JSON.stringify(token.value)}`);
      }
      chunkRows.push(rows);
    }
  }
  if (paths.length !== 1) {
    const got = paths.length === 0 ? 'none' : paths.map((path) => JSON.stringify(path)).join(', ');
    throw new Error(`one FILE, got ${got}; ${DRIFT_CHECK_USAGE}`);
  }
  return { path: paths[0] as string, chunkRows: chunkRows.length > 0 ? chunkRows : SKAB_DRIFT_CHUNK_ROWS, ...(settingsFile === undefined ? {} : { settingsFile }) };
}

function main(): void {
  let options: DriftCheckOptions | 'help';
  try {
    options = parseDriftCheckArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`skabDriftCheck: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(`${DRIFT_CHECK_USAGE}\n`);
    return;
  }
  const settings: DetectorSettings = options.settingsFile === undefined ? {} : readReplaySettings(options.settingsFile);
  const file = readReplayFile(options.path, 'skab');
  for (const rows of options.chunkRows) {
    const result = driftCheck(file, rows, settings);
    const chunks = result.perChunk.map((share) => `${Math.round(share * 100)}`).join(' ');
    process.stdout.write(
      `chunks of ${rows} rows (${result.chunks}, ${SKAB_WARMUP_ROWS} warm-up): flagged ${(result.share * 100).toFixed(1)}% of ${result.judged} judged rows; per chunk % ${chunks}\n`,
    );
  }
}

if (require.main === module) main();
