import { QueryInputError } from '../errors';
import { MIN_EPOCH_MS } from './constants';

/** `-6h`, `-30m`, `-7d`, `-90s`: an offset back from now. */
const RELATIVE = /^-(\d{1,6})([smhd])$/;
const RELATIVE_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Digits only: epoch milliseconds when at least MIN_EPOCH_MS (13 digits until the year 2286). */
const WHOLE_NUMBER = /^\d{1,15}$/;
/** Epoch ms as the refusal of a smaller number words them. */
const EPOCH_MS_FROM = `epoch ms of ${new Date(MIN_EPOCH_MS).toISOString().replace('.000Z', 'Z')} or later (${MIN_EPOCH_MS} or more)`;
/** Epoch seconds of this century start at 1e9 (2001-09-09): a number from there to MIN_EPOCH_MS is probably one. */
const MIN_HINTED_EPOCH_SECONDS = 1e9;
/** A date (UTC midnight) or a date-time with `Z` or an offset: a time without a zone would be read in the machine's zone. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export interface ParseInstantOptions {
  /** The parameter as the caller knows it (`from`, `--to`), for the error message. */
  readonly parameter: string;
  readonly now: number;
  /** Accept `now` and `-6h`-style offsets (the CLI does; the function's contract does not). */
  readonly allowRelative: boolean;
}

/**
 * An instant as epoch ms from ISO 8601 (with a zone), epoch ms (MIN_EPOCH_MS or more: a smaller number is
 * a mistake, such as 20260101 for a day), or (CLI) `now` / `-<n><s|m|h|d>`; QueryInputError otherwise.
 */
export function parseInstant(text: string, options: ParseInstantOptions): number {
  const value = text.trim();
  if (options.allowRelative) {
    if (value === 'now') return options.now;
    const relative = RELATIVE.exec(value);
    if (relative) return options.now - Number(relative[1]) * RELATIVE_UNIT_MS[relative[2] as keyof typeof RELATIVE_UNIT_MS];
  }
  if (WHOLE_NUMBER.test(value)) {
    const ms = Number(value);
    if (ms >= MIN_EPOCH_MS) return ms;
    throw new QueryInputError(options.parameter, `${options.parameter} must be ${allowedForms(options, EPOCH_MS_FROM)}, got ${JSON.stringify(text)}${numberHint(value)}`);
  }
  const iso = ISO_8601.exec(value);
  if (iso && isCalendarDate(iso)) {
    const parsed = Date.parse(value);
    if (Number.isFinite(parsed)) return parsed;
  }
  throw new QueryInputError(options.parameter, `${options.parameter} must be ${allowedForms(options, 'epoch ms')}, got ${JSON.stringify(text)}`);
}

/** The forms the parameter takes, `epochMs` saying what epoch ms are. */
function allowedForms(options: ParseInstantOptions, epochMs: string): string {
  return options.allowRelative ? `ISO 8601 with a zone (2026-01-01T00:00:00Z), ${epochMs}, now, or -<n><s|m|h|d> (-6h)` : `ISO 8601 with a zone (2026-01-01T00:00:00Z) or ${epochMs}`;
}

/** What a number too small for epoch ms probably meant: a compact date (YYYYMMDD) or epoch seconds. */
function numberHint(digits: string): string {
  const asDate = digits.length === 8 ? `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}` : '';
  const iso = ISO_8601.exec(asDate);
  if (iso && isCalendarDate(iso)) return `; for a day write it as ${asDate}`;
  const seconds = Number(digits);
  if (seconds >= MIN_HINTED_EPOCH_SECONDS) return `; for epoch seconds write ${seconds * 1000}`;
  return '';
}

/** Whether the fields name a real date and time: Date.parse rolls 2026-02-30 over to March 2 and 24:00 to the next day. */
function isCalendarDate(fields: RegExpExecArray): boolean {
  const [year, month, day] = [Number(fields[1]), Number(fields[2]), Number(fields[3])];
  const [hour, minute, second] = [Number(fields[5] ?? 0), Number(fields[6] ?? 0), Number(fields[8] ?? 0)];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
}
