import { documentJson } from './documentJson';

/** Keys sorted at every depth, so output does not depend on construction order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, sortKeys(record[key])]),
  );
}

/** A document as indented JSON with keys sorted at every depth (dashboards, generated policies). */
export function sortedDocumentJson(value: unknown): string {
  return documentJson(sortKeys(value));
}
