import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './UsageError';

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** The flags of a command line (no positionals, unknown flags refused), or a UsageError with the first line of why and the usage. */
export function parseFlags<const O extends FlagOptions>(args: readonly string[], options: O, usage: string) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0] ?? ''}; ${usage}`);
  }
}
