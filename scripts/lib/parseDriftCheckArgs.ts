import { parseArgs } from 'node:util';
import { helpRequested } from './helpRequested';
import { refuseRepeatedFlags } from './refuseRepeatedFlags';
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
  refuseRepeatedFlags(tokens, DRIFT_CHECK_FLAGS, (message) => new Error(message));
  if (paths.length !== 1) {
    const got = paths.length === 0 ? 'none' : paths.map((path) => JSON.stringify(path)).join(', ');
    throw new Error(`one FILE, got ${got}; ${DRIFT_CHECK_USAGE}`);
  }
  return { path: paths[0] as string, chunkRows: chunkRows.length > 0 ? chunkRows : SKAB_DRIFT_CHUNK_ROWS, ...(settingsFile === undefined ? {} : { settingsFile }) };
}
