/**
 * A map keyed by metric names without a prototype: `constructor`, `toString` or `__proto__` are
 * valid metric names of the data contract and must not meet Object.prototype's properties.
 */
export function metricRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
