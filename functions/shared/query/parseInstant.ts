import { QueryInputError } from '../errors';

/** `-6h`, `-30m`, `-7d`, `-90s`: an offset back from now. */
const RELATIVE = /^-(\d{1,6})([smhd])$/;
const RELATIVE_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Epoch milliseconds: digits only (13 digits until the year 2286). */
const EPOCH_MS = /^\d{1,15}$/;
/** A date (UTC midnight) or a date-time with `Z` or an offset: a time without a zone would be read in the machine's zone. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export interface ParseInstantOptions {
  /** The parameter as the caller knows it (`from`, `--to`), for the error message. */
  readonly parameter: string;
  readonly now: number;
  /** Accept `now` and `-6h`-style offsets (the CLI does; the function's contract does not). */
  readonly allowRelative: boolean;
}

/** An instant as epoch ms from ISO 8601 (with a zone), epoch ms, or (CLI) `now` / `-<n><s|m|h|d>`; QueryInputError otherwise. */
export function parseInstant(text: string, options: ParseInstantOptions): number {
  const value = text.trim();
  if (options.allowRelative) {
    if (value === 'now') return options.now;
    const relative = RELATIVE.exec(value);
    if (relative) return options.now - Number(relative[1]) * RELATIVE_UNIT_MS[relative[2] as keyof typeof RELATIVE_UNIT_MS];
  }
  if (EPOCH_MS.test(value)) return Number(value);
  const iso = ISO_8601.exec(value);
  if (iso && isCalendarDate(iso)) {
    const parsed = Date.parse(value);
    if (Number.isFinite(parsed)) return parsed;
  }
  const allowed = options.allowRelative ? 'ISO 8601 with a zone (2026-01-01T00:00:00Z), epoch ms, now, or -<n><s|m|h|d> (-6h)' : 'ISO 8601 with a zone (2026-01-01T00:00:00Z) or epoch ms';
  throw new QueryInputError(options.parameter, `${options.parameter} must be ${allowed}, got ${JSON.stringify(text)}`);
}

/** Whether the fields name a real date and time: Date.parse rolls 2026-02-30 over to March 2 and 24:00 to the next day. */
function isCalendarDate(fields: RegExpExecArray): boolean {
  const [year, month, day] = [Number(fields[1]), Number(fields[2]), Number(fields[3])];
  const [hour, minute, second] = [Number(fields[5] ?? 0), Number(fields[6] ?? 0), Number(fields[8] ?? 0)];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
}
