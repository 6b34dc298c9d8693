import { parseArgs } from 'node:util';
import type { StreamFunction } from '../../charts/processing';
import { helpRequested } from './helpRequested';
import { RedriveError } from './RedriveError';

export const REDRIVE_USAGE = 'usage: redrive --env <env> [--dry-run] [--max-messages N] [--function processor|storer]';

/** Default and bound of --max-messages: one run handles a bounded, reviewable number of messages. */
export const MAX_MESSAGES = { default: 50, max: 10_000 } as const;

export interface RedriveOptions {
  readonly environment: string;
  readonly dryRun: boolean;
  readonly maxMessages: number;
  /** Only messages of this function are redriven; the others are left in the queue. */
  readonly onlyFunction?: StreamFunction;
}

/** The flags `redrive` takes; the usage names each of them (a test holds them together). */
export const REDRIVE_FLAGS = {
  env: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'max-messages': { type: 'string' },
  function: { type: 'string' },
} as const;

/** Parses the command line (`--env dev` or `--env=dev`): 'help' for `--help`/`-h`; every error is a one-line RedriveError (exit 2) naming the flag and value. */
export function parseRedriveArgs(args: readonly string[]): RedriveOptions | 'help' {
  if (helpRequested(args)) return 'help';
  // Not strict: this tool words its own refusals; the tokens still say which arguments are flags and values.
  const { tokens } = parseArgs({ args: [...args], options: REDRIVE_FLAGS, strict: false, allowPositionals: true, tokens: true });
  let environment: string | undefined;
  let dryRun = false;
  let maxMessages: number = MAX_MESSAGES.default;
  let onlyFunction: StreamFunction | undefined;
  for (const token of tokens) {
    if (token.kind !== 'option') throw new RedriveError(`unknown argument "${args[token.index] ?? ''}"; ${REDRIVE_USAGE}`);
    const arg = args[token.index] ?? token.rawName;
    if (!Object.hasOwn(REDRIVE_FLAGS, token.name)) throw new RedriveError(`unknown argument "${arg}"; ${REDRIVE_USAGE}`);
    const option = REDRIVE_FLAGS[token.name as keyof typeof REDRIVE_FLAGS];
    if (option.type === 'boolean' && token.value !== undefined) throw new RedriveError(`${token.rawName} takes no value, got "${arg}"; ${REDRIVE_USAGE}`);
    // `--env --dry-run`: the value was forgotten; a flag is not an environment.
    const value = (): string => {
      if (token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('--'))) throw new RedriveError(`${token.rawName} needs a value; ${REDRIVE_USAGE}`);
      return token.value;
    };
    if (token.name === 'env') environment = value();
    else if (token.name === 'dry-run') dryRun = true;
    else if (token.name === 'max-messages') {
      const text = value();
      maxMessages = Number(text);
      if (!/^\d+$/.test(text) || maxMessages < 1 || maxMessages > MAX_MESSAGES.max) {
        throw new RedriveError(`--max-messages must be a whole number from 1 to ${MAX_MESSAGES.max}, got "${text}"`);
      }
    } else {
      // --function, the one flag left
      const text = value();
      if (text !== 'processor' && text !== 'storer') throw new RedriveError(`--function must be processor or storer, got "${text}"`);
      onlyFunction = text;
    }
  }
  if (environment === undefined) throw new RedriveError(`missing --env; ${REDRIVE_USAGE}`);
  return { environment, dryRun, maxMessages, ...(onlyFunction === undefined ? {} : { onlyFunction }) };
}
