/**
 * JSON documents carried as strings in manifests (IAM, key, bucket, queue, topic and IoT policies,
 * the dashboard body) are rendered indented, one statement or widget per block, so a plain `git
 * diff` of the manifests shows which statement changed. The controllers compare these documents
 * after parsing them (or, for IAM inline policies, as the text IAM returns verbatim), so the
 * formatting never shows as drift; see the README's design notes.
 */

const INDENT = 2;

/** A document as indented JSON, keys in the order given (policies keep Sid, Effect, Action... first). */
export function documentJson(value: unknown): string {
  return JSON.stringify(value, null, INDENT);
}

/** Keys sorted at every depth, so output does not depend on construction order. */
export function sortKeys(value: unknown): unknown {
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

/** IAM's limit on a managed policy document, whitespace excluded (as compactLength counts it). */
export const MAX_MANAGED_POLICY_CHARS = 6_144;

/** The size AWS counts against policy limits: the document without whitespace outside strings. */
export function compactLength(document: string): number {
  return JSON.stringify(JSON.parse(document)).length;
}
