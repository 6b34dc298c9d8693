/** Command line of `npm run synth`. */
import { parseArgs } from 'node:util';
import { helpRequested } from './helpRequested';
import { refuseRepeatedFlags } from './refuseRepeatedFlags';

/** The flags `synth` takes; the usage names each of them (a test holds them together). */
export const SYNTH_FLAGS = { env: { type: 'string', multiple: true }, 'config-dir': { type: 'string' }, out: { type: 'string' } } as const;

export const SYNTH_USAGE = 'usage: npm run synth [-- [--env <name>]... [--config-dir <dir>] [--out <dir>]]';

/** The flags of a synth command line as given, 'help' for `--help`/`-h`, or an Error naming the flag, with the usage. */
export function parseSynthArgs(argv: readonly string[]) {
  if (helpRequested(argv)) return 'help' as const;
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof SYNTH_FLAGS; strict: true; allowPositionals: false; tokens: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: SYNTH_FLAGS, strict: true, allowPositionals: false, tokens: true });
  } catch (error) {
    throw new Error(`${(error as Error).message}; ${SYNTH_USAGE}`);
  }
  refuseRepeatedFlags(parsed.tokens, SYNTH_FLAGS, (message) => new Error(message));
  return parsed.values;
}
