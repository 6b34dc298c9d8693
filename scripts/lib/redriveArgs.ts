import { parseArgs } from 'node:util';
import type { StreamFunction } from '../../charts/lib/functionEnvironment';
import { LIMITS } from '../../functions/shared/constants';
import { QueryInputError } from '../../functions/shared/errors';
import { parseInstant } from '../../functions/shared/query/parseInstant';
import { helpRequested } from './helpRequested';
import { joinRelativeTimes } from './joinRelativeTimes';
import { RedriveError } from './RedriveError';
import { refuseRepeatedFlags } from './refuseRepeatedFlags';

/** The dead-letter queue redrive's command line. */
export const DEAD_LETTER_USAGE = 'usage: redrive --env <env> [--dry-run] [--max-messages N] [--function processor|storer]';
/** The IoT error-action replay's command line. */
export const QUARANTINE_USAGE = 'usage: redrive --env <env> --quarantine iot [--from <ISO|epoch ms|-6h>] [--to <ISO|epoch ms|-6h|now>] [--dry-run] [--max-objects N]';
/** Both forms, one a line (`--help`). */
export const REDRIVE_USAGE = `${DEAD_LETTER_USAGE}\n${QUARANTINE_USAGE}`;

/** Default and bound of --max-messages: one run handles a bounded, reviewable number of messages. */
export const MAX_MESSAGES = { default: 50, max: 10_000 } as const;
/** Default and bound of --max-objects: the error action writes one object per failed message. */
export const MAX_OBJECTS = { default: 5_000, max: 100_000 } as const;
/** --from when none is given: the last day, where a telemetry-failures alarm's objects are. */
export const DEFAULT_QUARANTINE_FROM = '-24h';
/** --to when none is given. */
export const DEFAULT_QUARANTINE_TO = 'now';
/** The sources `--quarantine` replays: the IoT rules' error actions (quarantine/iot/). */
export const QUARANTINE_SOURCES = ['iot'] as const;
export type QuarantineSource = (typeof QUARANTINE_SOURCES)[number];

export interface RedriveOptions {
  readonly environment: string;
  readonly dryRun: boolean;
  readonly maxMessages: number;
  /** Only messages of this function are redriven; the others are left in the queue. */
  readonly onlyFunction?: StreamFunction;
}

export interface QuarantineReplayOptions {
  readonly environment: string;
  readonly quarantine: QuarantineSource;
  readonly dryRun: boolean;
  /** Objects whose LastModified is in [fromMs, toMs) are replayed (epoch ms). */
  readonly fromMs: number;
  readonly toMs: number;
  readonly maxObjects: number;
}

/** The flags `redrive` takes; the usage names each of them (a test holds them together). */
export const REDRIVE_FLAGS = {
  env: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'max-messages': { type: 'string' },
  function: { type: 'string' },
  quarantine: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'max-objects': { type: 'string' },
} as const;
type RedriveFlag = keyof typeof REDRIVE_FLAGS;

const DEAD_LETTER_ONLY: ReadonlySet<RedriveFlag> = new Set(['max-messages', 'function']);
const QUARANTINE_ONLY: ReadonlySet<RedriveFlag> = new Set(['from', 'to', 'max-objects']);

/** One of the two commands: the dead-letter redrive, or (with --quarantine) the error-action replay. */
export function parseRedriveArgs(args: readonly string[], now: number = Date.now()): RedriveOptions | QuarantineReplayOptions | 'help' {
  if (helpRequested(args)) return 'help';
  const line = joinRelativeTimes(args);
  // Not strict: this tool words its own refusals; the tokens still say which arguments are flags and values.
  const { tokens } = parseArgs({ args: line, options: REDRIVE_FLAGS, strict: false, allowPositionals: true, tokens: true });
  // The refusals quote the usage of the command the line is for.
  const replaying = tokens.some((token) => token.kind === 'option' && token.name === 'quarantine');
  const usage = replaying ? QUARANTINE_USAGE : DEAD_LETTER_USAGE;
  const given = new Map<RedriveFlag, string>();
  let dryRun = false;
  for (const token of tokens) {
    if (token.kind !== 'option') throw new RedriveError(`unknown argument "${line[token.index] ?? ''}"; ${usage}`);
    const arg = line[token.index] ?? token.rawName;
    if (!Object.hasOwn(REDRIVE_FLAGS, token.name)) throw new RedriveError(`unknown argument "${arg}"; ${usage}`);
    const flag = token.name as RedriveFlag;
    if (replaying && DEAD_LETTER_ONLY.has(flag)) throw new RedriveError(`${token.rawName} is a flag of the dead-letter redrive, not of --quarantine; ${usage}`);
    if (!replaying && QUARANTINE_ONLY.has(flag)) throw new RedriveError(`${token.rawName} needs --quarantine iot; ${QUARANTINE_USAGE}`);
    if (REDRIVE_FLAGS[flag].type === 'boolean') {
      if (token.value !== undefined) throw new RedriveError(`${token.rawName} takes no value, got "${arg}"; ${usage}`);
      dryRun = true;
      continue;
    }
    // `--env --dry-run`: the value was forgotten; a flag is not an environment.
    if (token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('--'))) throw new RedriveError(`${token.rawName} needs a value; ${usage}`);
    given.set(flag, token.value);
  }
  // A redrive cannot be undone: `--env dev --env prod` must not quietly run against prod.
  refuseRepeatedFlags(tokens, REDRIVE_FLAGS, (message) => new RedriveError(message));
  const environment = given.get('env');
  if (environment === undefined) throw new RedriveError(`missing --env; ${usage}`);
  return replaying ? quarantineOptions(environment, dryRun, given, now) : deadLetterOptions(environment, dryRun, given);
}

/** The whole number a `--max-*` flag gives, from 1 to its bound; its default when not given. */
function countFlag(given: ReadonlyMap<RedriveFlag, string>, flag: 'max-messages' | 'max-objects', bounds: { readonly default: number; readonly max: number }): number {
  const text = given.get(flag);
  if (text === undefined) return bounds.default;
  const count = Number(text);
  if (!/^\d+$/.test(text) || count < 1 || count > bounds.max) throw new RedriveError(`--${flag} must be a whole number from 1 to ${bounds.max}, got "${text}"`);
  return count;
}

function deadLetterOptions(environment: string, dryRun: boolean, given: ReadonlyMap<RedriveFlag, string>): RedriveOptions {
  const maxMessages = countFlag(given, 'max-messages', MAX_MESSAGES);
  const onlyFunction = given.get('function');
  if (onlyFunction !== undefined && onlyFunction !== 'processor' && onlyFunction !== 'storer') throw new RedriveError(`--function must be processor or storer, got "${onlyFunction}"`);
  return { environment, dryRun, maxMessages, ...(onlyFunction === undefined ? {} : { onlyFunction }) };
}

function quarantineOptions(environment: string, dryRun: boolean, given: ReadonlyMap<RedriveFlag, string>, now: number): QuarantineReplayOptions {
  const source = given.get('quarantine') ?? '';
  if (!(QUARANTINE_SOURCES as readonly string[]).includes(source)) {
    throw new RedriveError(`--quarantine must be ${QUARANTINE_SOURCES.join(' or ')} (the IoT rules' error actions under quarantine/iot/), got "${source}"`);
  }
  const instant = (flag: '--from' | '--to', text: string): number => {
    try {
      return parseInstant(text, { parameter: flag, now, allowRelative: true });
    } catch (error) {
      if (error instanceof QueryInputError) throw new RedriveError(error.message);
      throw error;
    }
  };
  const fromGiven = given.get('from');
  const toGiven = given.get('to');
  const fromText = fromGiven ?? DEFAULT_QUARANTINE_FROM;
  const toText = toGiven ?? DEFAULT_QUARANTINE_TO;
  const fromMs = instant('--from', fromText);
  const toMs = instant('--to', toText);
  const iso = (ms: number): string => new Date(ms).toISOString();
  // The functions reject a reading more than LIMITS.maxTimestampAgeMs older than its record's arrival in the stream:
  // a replayed message arrives now, so older ones would only be quarantined again.
  const oldest = now - LIMITS.maxTimestampAgeMs;
  const days = `${LIMITS.maxTimestampAgeMs / 86_400_000} days`;
  const window = `within the last ${days} (the functions reject readings more than ${days} older than their arrival in the stream)`;
  // Each refusal names the flags the operator typed: a --to before the window, or before the default --from, is the --to's.
  if (toMs <= oldest) throw new RedriveError(`--to must be ${window}, got "${toText}" (${iso(toMs)})`);
  if (fromMs >= toMs) {
    if (fromGiven === undefined) {
      throw new RedriveError(`--to must be after the default --from of ${fromText} (${iso(fromMs)}), got "${toText}" (${iso(toMs)}); give an earlier --from`);
    }
    if (toGiven === undefined) throw new RedriveError(`--from must be before the default --to of ${toText} (${iso(toMs)}), got "${fromText}" (${iso(fromMs)})`);
    throw new RedriveError(`--from must be before --to, got --from "${fromText}" (${iso(fromMs)}) and --to "${toText}" (${iso(toMs)})`);
  }
  if (fromMs < oldest) throw new RedriveError(`--from must be ${window}, got "${fromText}" (${iso(fromMs)})`);
  const maxObjects = countFlag(given, 'max-objects', MAX_OBJECTS);
  return { environment, quarantine: source as QuarantineSource, dryRun, fromMs, toMs, maxObjects };
}
