import type { StreamFunction } from '../../charts/processing';
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

/** Parses the command line; every error is a one-line RedriveError (exit 2) naming the flag and value. */
export function parseRedriveArgs(args: readonly string[]): RedriveOptions {
  let environment: string | undefined;
  let dryRun = false;
  let maxMessages: number = MAX_MESSAGES.default;
  let onlyFunction: StreamFunction | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const value = (): string => {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) throw new RedriveError(`${arg} needs a value; ${REDRIVE_USAGE}`);
      i += 1;
      return next;
    };
    if (arg === '--env') environment = value();
    else if (arg === '--dry-run') dryRun = true;
    else if (arg === '--max-messages') {
      const text = value();
      maxMessages = Number(text);
      if (!/^\d+$/.test(text) || maxMessages < 1 || maxMessages > MAX_MESSAGES.max) {
        throw new RedriveError(`--max-messages must be a whole number from 1 to ${MAX_MESSAGES.max}, got "${text}"`);
      }
    } else if (arg === '--function') {
      const text = value();
      if (text !== 'processor' && text !== 'storer') throw new RedriveError(`--function must be processor or storer, got "${text}"`);
      onlyFunction = text;
    } else if (arg === '--help' || arg === '-h') throw new RedriveError(REDRIVE_USAGE);
    else throw new RedriveError(`unknown argument "${arg}"; ${REDRIVE_USAGE}`);
  }
  if (environment === undefined) throw new RedriveError(`missing --env; ${REDRIVE_USAGE}`);
  return { environment, dryRun, maxMessages, ...(onlyFunction === undefined ? {} : { onlyFunction }) };
}
