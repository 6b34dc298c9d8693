const SECONDS_PER_DAY = 86_400;

/** The DynamoDB TTL value (epoch seconds) of an item that lives `days` from `fromMs` (epoch ms). */
export function expiresAtSeconds(fromMs: number, days: number): number {
  return Math.floor(fromMs / 1000) + days * SECONDS_PER_DAY;
}
