import { createOnlyKind } from './createOnlyKind';
import { valueAtPointer } from './valueAtPointer';

/** A create-only field whose value differs between two renderings of the same object. */
export interface CreateOnlyChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly replacement: string;
}

/** The create-only fields that differ between `before` and `after` (the same object, two renderings). */
export function createOnlyChanges(before: Record<string, unknown>, after: Record<string, unknown>): CreateOnlyChange[] {
  const entry = createOnlyKind(String(after.apiVersion), String(after.kind));
  if (!entry) return [];
  const changes: CreateOnlyChange[] = [];
  for (const { path } of entry.fields) {
    const old = valueAtPointer(before, path);
    const now = valueAtPointer(after, path);
    if (JSON.stringify(old) !== JSON.stringify(now)) changes.push({ path, before: old, after: now, replacement: entry.replacement });
  }
  return changes;
}
