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
/** The redrive of a shard range the operator names (one the dead-letter queue never got). */
export const SHARD_RANGE_USAGE = 'usage: redrive --env <env> --function processor|storer --shard <shardId> --from <ISO|epoch ms|-6h> [--to <ISO|epoch ms|-6h|now>] [--dry-run]';
/** What `--help` says of the shard range beside its usage: operators ask whether an overlap does harm. */
const SHARD_RANGE_NOTE =
  '  (a range whose batch never reached the dead-letter queue: the records of the shard that arrived from --from to --to, invoked in order as the mapping would; ' +
  'redriving is idempotent, the records keep their shard and sequence numbers, so a range that overlaps records already processed or redriven is safe)';
/** Every form, one a line (`--help`). */
export const REDRIVE_USAGE = `${DEAD_LETTER_USAGE}\n${QUARANTINE_USAGE}\n${SHARD_RANGE_USAGE}\n${SHARD_RANGE_NOTE}`;

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

export interface ShardRangeOptions {
  readonly environment: string;
  readonly fn: StreamFunction;
  readonly shardId: string;
  readonly dryRun: boolean;
  /** Records whose approximate arrival is in [fromMs, toMs) are redriven (epoch ms). */
  readonly fromMs: number;
  readonly toMs: number;
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
  shard: { type: 'string' },
} as const;
type RedriveFlag = keyof typeof REDRIVE_FLAGS;

const DEAD_LETTER_ONLY: ReadonlySet<RedriveFlag> = new Set(['max-messages', 'function']);
const QUARANTINE_ONLY: ReadonlySet<RedriveFlag> = new Set(['from', 'to', 'max-objects']);
/** Flags of the other redrives that a shard range refuses, and whose they are. */
const NOT_OF_SHARD_RANGE: ReadonlyMap<RedriveFlag, string> = new Map([
  ['max-messages', 'the dead-letter redrive'],
  ['quarantine', 'the IoT error-action replay'],
  ['max-objects', 'the IoT error-action replay'],
]);

/** One of the three commands: the dead-letter redrive, the error-action replay (--quarantine), or a shard range (--shard). */
export function parseRedriveArgs(args: readonly string[], now: number = Date.now()): RedriveOptions | QuarantineReplayOptions | ShardRangeOptions | 'help' {
  if (helpRequested(args)) return 'help';
  const line = joinRelativeTimes(args);
  // Not strict: this tool words its own refusals; the tokens still say which arguments are flags and values.
  const { tokens } = parseArgs({ args: line, options: REDRIVE_FLAGS, strict: false, allowPositionals: true, tokens: true });
  // The refusals quote the usage of the command the line is for; --shard names a range whatever else is given.
  const named = (name: RedriveFlag): boolean => tokens.some((token) => token.kind === 'option' && token.name === name);
  const ranging = named('shard');
  const replaying = !ranging && named('quarantine');
  const usage = ranging ? SHARD_RANGE_USAGE : replaying ? QUARANTINE_USAGE : DEAD_LETTER_USAGE;
  const given = new Map<RedriveFlag, string>();
  let dryRun = false;
  for (const token of tokens) {
    if (token.kind !== 'option') throw new RedriveError(`unknown argument "${line[token.index] ?? ''}"; ${usage}`);
    const arg = line[token.index] ?? token.rawName;
    if (!Object.hasOwn(REDRIVE_FLAGS, token.name)) throw new RedriveError(`unknown argument "${arg}"; ${usage}`);
    const flag = token.name as RedriveFlag;
    const owner = NOT_OF_SHARD_RANGE.get(flag);
    if (ranging && owner !== undefined) throw new RedriveError(`${token.rawName} is a flag of ${owner}, not of --shard; ${usage}`);
    if (replaying && DEAD_LETTER_ONLY.has(flag)) throw new RedriveError(`${token.rawName} is a flag of the dead-letter redrive, not of --quarantine; ${usage}`);
    if (!ranging && !replaying && flag === 'max-objects') throw new RedriveError(`${token.rawName} needs --quarantine iot; ${QUARANTINE_USAGE}`);
    if (!ranging && !replaying && QUARANTINE_ONLY.has(flag)) throw new RedriveError(`${token.rawName} needs --quarantine iot or --shard <shardId> (redrive --help shows both)`);
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
  if (ranging) return shardRangeOptions(environment, dryRun, given, now);
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

/** --function's value, when given. */
function functionFlag(given: ReadonlyMap<RedriveFlag, string>): StreamFunction | undefined {
  const fn = given.get('function');
  if (fn !== undefined && fn !== 'processor' && fn !== 'storer') throw new RedriveError(`--function must be processor or storer, got "${fn}"`);
  return fn;
}

function deadLetterOptions(environment: string, dryRun: boolean, given: ReadonlyMap<RedriveFlag, string>): RedriveOptions {
  const maxMessages = countFlag(given, 'max-messages', MAX_MESSAGES);
  const onlyFunction = functionFlag(given);
  return { environment, dryRun, maxMessages, ...(onlyFunction === undefined ? {} : { onlyFunction }) };
}

/** A --from or --to as epoch ms (ISO, epoch ms, or relative to now as `-6h`). */
function instantFlag(flag: '--from' | '--to', text: string, now: number): number {
  try {
    return parseInstant(text, { parameter: flag, now, allowRelative: true });
  } catch (error) {
    if (error instanceof QueryInputError) throw new RedriveError(error.message);
    throw error;
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
/** A Kinesis sequence number: far more digits than epoch ms (parseInstant takes up to 15). */
const SEQUENCE_NUMBER = /^\d{16,}$/;

/** Refuses an empty or reversed range, naming the flags the operator typed (a default is named as such). */
function refuseReversedRange(from: { readonly given?: string; readonly text: string; readonly ms: number }, to: { readonly given?: string; readonly text: string; readonly ms: number }): void {
  if (from.ms < to.ms) return;
  if (from.given === undefined) {
    throw new RedriveError(`--to must be after the default --from of ${from.text} (${iso(from.ms)}), got "${to.text}" (${iso(to.ms)}); give an earlier --from`);
  }
  if (to.given === undefined) throw new RedriveError(`--from must be before the default --to of ${to.text} (${iso(to.ms)}), got "${from.text}" (${iso(from.ms)})`);
  throw new RedriveError(`--from must be before --to, got --from "${from.text}" (${iso(from.ms)}) and --to "${to.text}" (${iso(to.ms)})`);
}

/** The range's own refusals (a shard the stream does not have, records it no longer holds) need AWS and the targets: see redriveShardRange. */
function shardRangeOptions(environment: string, dryRun: boolean, given: ReadonlyMap<RedriveFlag, string>, now: number): ShardRangeOptions {
  const fn = functionFlag(given);
  if (fn === undefined) throw new RedriveError(`missing --function (the function whose range was lost); ${SHARD_RANGE_USAGE}`);
  const shardId = given.get('shard') ?? '';
  const fromText = given.get('from');
  if (fromText === undefined) throw new RedriveError(`missing --from (when the range's first record arrived); ${SHARD_RANGE_USAGE}`);
  const toGiven = given.get('to');
  // Now, as for --quarantine: the range then ends with what had arrived when the run started.
  const toText = toGiven ?? DEFAULT_QUARANTINE_TO;
  // The stop lines name sequence numbers, and Kinesis ranges are usually given by them: say what --from and --to are instead.
  for (const [flag, text] of [['--from', fromText], ['--to', toText]] as const) {
    if (SEQUENCE_NUMBER.test(text.trim())) {
      throw new RedriveError(`${flag} is an arrival time (ISO 8601 with a zone, epoch ms, now or -6h), not a sequence number, got "${text}"; the stop line gives the arrival time to use`);
    }
  }
  const fromMs = instantFlag('--from', fromText, now);
  const toMs = instantFlag('--to', toText, now);
  refuseReversedRange({ given: fromText, text: fromText, ms: fromMs }, { ...(toGiven === undefined ? {} : { given: toGiven }), text: toText, ms: toMs });
  // Kinesis refuses an AT_TIMESTAMP iterator in the future; nothing can have arrived there yet.
  if (fromMs > now) throw new RedriveError(`--from must not be in the future, got "${fromText}" (${iso(fromMs)})`);
  return { environment, fn, shardId, dryRun, fromMs, toMs };
}

function quarantineOptions(environment: string, dryRun: boolean, given: ReadonlyMap<RedriveFlag, string>, now: number): QuarantineReplayOptions {
  const source = given.get('quarantine') ?? '';
  if (!(QUARANTINE_SOURCES as readonly string[]).includes(source)) {
    throw new RedriveError(`--quarantine must be ${QUARANTINE_SOURCES.join(' or ')} (the IoT rules' error actions under quarantine/iot/), got "${source}"`);
  }
  const fromGiven = given.get('from');
  const toGiven = given.get('to');
  const fromText = fromGiven ?? DEFAULT_QUARANTINE_FROM;
  const toText = toGiven ?? DEFAULT_QUARANTINE_TO;
  const fromMs = instantFlag('--from', fromText, now);
  const toMs = instantFlag('--to', toText, now);
  // The functions reject a reading more than LIMITS.maxTimestampAgeMs older than its record's arrival in the stream:
  // a replayed message arrives now, so older ones would only be quarantined again.
  const oldest = now - LIMITS.maxTimestampAgeMs;
  const days = `${LIMITS.maxTimestampAgeMs / 86_400_000} days`;
  const window = `within the last ${days} (the functions reject readings more than ${days} older than their arrival in the stream)`;
  // Each refusal names the flags the operator typed: a --to before the window, or before the default --from, is the --to's.
  if (toMs <= oldest) throw new RedriveError(`--to must be ${window}, got "${toText}" (${iso(toMs)})`);
  refuseReversedRange(
    { ...(fromGiven === undefined ? {} : { given: fromGiven }), text: fromText, ms: fromMs },
    { ...(toGiven === undefined ? {} : { given: toGiven }), text: toText, ms: toMs },
  );
  if (fromMs < oldest) throw new RedriveError(`--from must be ${window}, got "${fromText}" (${iso(fromMs)})`);
  const maxObjects = countFlag(given, 'max-objects', MAX_OBJECTS);
  return { environment, quarantine: source as QuarantineSource, dryRun, fromMs, toMs, maxObjects };
}
