import { parseArgs } from 'node:util';
import { helpRequested } from './helpRequested';
import { PreflightUsageError } from './preflightProblem';
import { refuseRepeatedFlags } from './refuseRepeatedFlags';

export const PREFLIGHT_USAGE = 'usage: npm run preflight -- --env <env> [--base <git ref>] [--config-dir <dir>]';

export interface PreflightOptions {
  readonly environment: string;
  /**
   * The commit whose manifests Argo CD deploys now.
   * @default the merge base of HEAD with main (else origin/main, else HEAD), as `npm run diff` takes it
   */
  readonly base?: string;
  /** Folder of the environment files. @default the repository's config/ */
  readonly configDir?: string;
}

/** The flags `preflight` takes; the usage names each of them (a test holds them together). */
export const PREFLIGHT_FLAGS = { env: { type: 'string' }, base: { type: 'string' }, 'config-dir': { type: 'string' } } as const;

/**
 * Parses the command line: 'help' for `--help`/`-h`. Tokens are checked here rather than by parseArgs'
 * strict mode so that every error is one line naming the flag and value.
 */
export function parsePreflightArgs(argv: readonly string[]): PreflightOptions | 'help' {
  if (helpRequested(argv)) return 'help';
  const { tokens } = parseArgs({ args: [...argv], options: PREFLIGHT_FLAGS, strict: false, allowPositionals: true, tokens: true });
  const values: Partial<Record<keyof typeof PREFLIGHT_FLAGS, string>> = {};
  for (const token of tokens) {
    if (token.kind === 'positional') throw new PreflightUsageError(`preflight: ${JSON.stringify(token.value)}: unexpected argument; ${PREFLIGHT_USAGE}`);
    if (token.kind !== 'option') continue;
    if (!(token.name in PREFLIGHT_FLAGS)) {
      const value = token.value === undefined ? '' : ` (value ${JSON.stringify(token.value)})`;
      throw new PreflightUsageError(`preflight: ${token.rawName}: unknown flag${value}; ${PREFLIGHT_USAGE}`);
    }
    // A separate value that looks like a flag (`--env --base x`) means the value was forgotten.
    const forgotten = token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('-'));
    if (forgotten) throw new PreflightUsageError(`preflight: ${token.rawName}: missing value; ${PREFLIGHT_USAGE}`);
    values[token.name as keyof typeof PREFLIGHT_FLAGS] = token.value;
  }
  refuseRepeatedFlags(tokens, PREFLIGHT_FLAGS, (message) => new PreflightUsageError(`preflight: ${message}`));
  if (values.env === undefined) throw new PreflightUsageError(`preflight: --env: missing; ${PREFLIGHT_USAGE}`);
  return {
    environment: values.env,
    ...(values.base === undefined ? {} : { base: values.base }),
    ...(values['config-dir'] === undefined ? {} : { configDir: values['config-dir'] }),
  };
}
