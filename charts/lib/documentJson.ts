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

/** IAM's limit on a managed policy document, whitespace excluded (as compactLength counts it). */
export const MAX_MANAGED_POLICY_CHARS = 6_144;
