/** RFC 3339 in UTC to the second: what the config takes for instants (a mapping's AT_TIMESTAMP, an acknowledgement). */
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** A real UTC time written YYYY-MM-DDTHH:MM:SSZ (`Date` alone would roll 2026-02-30 over into March). */
export function isUtcTime(value: unknown): value is string {
  return typeof value === 'string' && UTC_TIME.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value.replace('Z', '.000Z');
}
