import { parseArgs } from 'node:util';
import { helpRequested } from './helpRequested';
import { REPORT_FORMATS, ReportFormat } from './manifestDiffReport';
import { refuseRepeatedFlags } from './refuseRepeatedFlags';

export const DIFF_USAGE = 'usage: npm run diff -- [--base <git ref>] [--env <env>]... [--format markdown|text]';

/** A bad flag, an unknown environment or a ref that does not exist: exit 2, one line. */
export class DiffUsageError extends Error {}

export interface DiffOptions {
  /** The git ref whose committed manifests are the base; undefined: the merge base of HEAD with main. */
  readonly base?: string;
  /** Environments to compare; empty: every `config/<env>.yaml`. */
  readonly environments: readonly string[];
  readonly format: ReportFormat;
}

/** The flags `diff` takes; the usage names each of them (a test holds them together). */
export const DIFF_FLAGS = { base: { type: 'string' }, env: { type: 'string', multiple: true }, format: { type: 'string' } } as const;

/**
 * Parses the command line: 'help' for `--help`/`-h`. Tokens are checked here rather than by parseArgs'
 * strict mode so that every error is one line naming the flag and value.
 */
export function parseDiffArgs(argv: readonly string[]): DiffOptions | 'help' {
  if (helpRequested(argv)) return 'help';
  const { tokens } = parseArgs({ args: [...argv], options: DIFF_FLAGS, strict: false, allowPositionals: true, tokens: true });
  let base: string | undefined;
  const environments: string[] = [];
  let format: ReportFormat = 'markdown';
  for (const token of tokens) {
    if (token.kind === 'positional') throw new DiffUsageError(`diff: ${JSON.stringify(token.value)}: unexpected argument; ${DIFF_USAGE}`);
    if (token.kind !== 'option') continue;
    if (!(token.name in DIFF_FLAGS)) {
      const value = token.value === undefined ? '' : ` (value ${JSON.stringify(token.value)})`;
      throw new DiffUsageError(`diff: ${token.rawName}: unknown flag${value}; ${DIFF_USAGE}`);
    }
    // Without strict mode parseArgs takes the next flag as the value (`--base --env dev`).
    const missing = token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('-'));
    if (missing || token.value === undefined) throw new DiffUsageError(`diff: ${token.rawName}: missing value; ${DIFF_USAGE}`);
    if (token.name === 'base') base = token.value;
    if (token.name === 'env') environments.push(token.value);
    if (token.name === 'format') {
      if (!(REPORT_FORMATS as readonly string[]).includes(token.value)) {
        throw new DiffUsageError(`diff: --format: ${JSON.stringify(token.value)} is not a format; use ${REPORT_FORMATS.join(' or ')}`);
      }
      format = token.value as ReportFormat;
    }
  }
  refuseRepeatedFlags(tokens, DIFF_FLAGS, (message) => new DiffUsageError(`diff: ${message}`));
  return { ...(base === undefined ? {} : { base }), environments, format };
}
