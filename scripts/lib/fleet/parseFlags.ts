import { parseArgs, type ParseArgsConfig } from 'node:util';
import { refuseRepeatedFlags } from '../refuseRepeatedFlags';
import { UsageError } from './UsageError';

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** A negative number in decimal notation, as a value that follows its flag (`--rate -1`). */
const NEGATIVE_NUMBER = /^-(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * parseArgs reads `--devices -3` as a flag without its value ("argument is ambiguous"); joined as
 * `--devices=-3` the value reaches the tool's own range check, whose message says what is allowed.
 */
function joinNegativeValues(args: readonly string[], options: FlagOptions): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      joined.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    const option = arg.startsWith('--') && !arg.includes('=') ? options[arg.slice(2)] : undefined;
    if (option?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      joined.push(`${arg}=${next}`);
      i += 1;
    } else joined.push(arg);
  }
  return joined;
}

/** The flags of a command line (no positionals, unknown flags refused), or a UsageError with the first line of why and the usage. */
export function parseFlags<const O extends FlagOptions>(args: readonly string[], options: O, usage: string) {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(args, options), options, strict: true, allowPositionals: false, tokens: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0] ?? ''}; ${usage}`);
  }
  refuseRepeatedFlags(parsed.tokens, options, (message) => new UsageError(message));
  return parsed.values;
}
