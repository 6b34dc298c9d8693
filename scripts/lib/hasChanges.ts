import type { EnvironmentDiff } from './manifestDiffTypes';

/** True when the environment's rendering (objects or IAM documents) differs from the base. */
export function hasChanges(diff: EnvironmentDiff): boolean {
  const { documents } = diff;
  return diff.changed.length + diff.added.length + diff.removed.length + documents.changed.length + documents.added.length + documents.removed.length > 0;
}
