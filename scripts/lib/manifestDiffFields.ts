/**
 * Field-by-field comparison of two JSON values: the changed leaves with their paths, lists of
 * scalars as values added and removed, lists of objects paired by a key field when they have one,
 * and JSON documents held in strings compared by content, never by their formatting.
 */
import { formatPath } from './formatPath';
import { isObject } from './isObject';
import type { Change } from './manifestDiffTypes';
import { Json, JSON_STEP, JsonObject, PathStep } from './manifestDiffValues';
import { parseJsonDocument } from './parseJsonDocument';
import { sameJson } from './sameJson';

/**
 * Compares two parsed JSON documents found in strings at `steps` (a policy, a dashboard body), or
 * returns undefined to let them be compared field by field.
 */
export type DocumentDiffer = (steps: readonly PathStep[], before: JsonObject | Json[], after: JsonObject | Json[]) => Change[] | undefined;

/** Fields that identify an element of a list of objects, tried in this order. */
const ELEMENT_KEYS = ['name', 'key', 'id', 'Sid', 'sid', 'title'] as const;

export function diffFields(before: Json | undefined, after: Json | undefined, steps: readonly PathStep[], documents?: DocumentDiffer): Change[] {
  if (sameJson(before, after)) return [];
  if (typeof before === 'string' && typeof after === 'string') {
    const old = parseJsonDocument(before);
    const now = parseJsonDocument(after);
    if (old !== undefined && now !== undefined) {
      if (sameJson(old, now)) return [];
      return documents?.(steps, old, now) ?? diffFields(old, now, [...steps, JSON_STEP], documents);
    }
  }
  if (isObject(before) && isObject(after)) {
    // A policy rendered as a YAML object rather than a string gets the same statement comparison.
    const document = 'Statement' in before && 'Statement' in after ? documents?.(steps, before, after) : undefined;
    if (document !== undefined) return document;
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => diffFields(before[key], after[key], [...steps, key], documents));
  }
  if (Array.isArray(before) && Array.isArray(after)) return diffArrays(before, after, steps, documents);
  return [{ type: 'field', path: formatPath(steps), before, after }];
}

const isScalar = (value: Json): boolean => value === null || typeof value !== 'object';
const scalarText = (value: Json): string => (typeof value === 'string' ? value : JSON.stringify(value));

function diffArrays(before: Json[], after: Json[], steps: readonly PathStep[], documents?: DocumentDiffer): Change[] {
  if (before.every(isScalar) && after.every(isScalar)) {
    const old = new Set(before.map(scalarText));
    const now = new Set(after.map(scalarText));
    const added = [...now].filter((value) => !old.has(value)).sort();
    const removed = [...old].filter((value) => !now.has(value)).sort();
    // Same values in another order or count: only the whole list says what changed.
    if (added.length === 0 && removed.length === 0) return [{ type: 'field', path: formatPath(steps), before, after }];
    return [{ type: 'list', path: formatPath(steps), added, removed }];
  }
  const key = elementKey(before, after);
  if (key !== undefined) {
    const byKey = (list: Json[]): Map<string, Json> => new Map(list.map((element) => [String((element as JsonObject)[key]), element]));
    const old = byKey(before);
    const now = byKey(after);
    const values = [...new Set([...old.keys(), ...now.keys()])];
    return values.flatMap((value) => diffFields(old.get(value), now.get(value), [...steps, { key, value }], documents));
  }
  const length = Math.max(before.length, after.length);
  return Array.from({ length }, (_, index) => diffFields(before[index], after[index], [...steps, index], documents)).flat();
}

/** A field every element of both lists has, as a string unique within its list, or undefined. */
function elementKey(before: Json[], after: Json[]): string | undefined {
  return ELEMENT_KEYS.find((key) =>
    [before, after].every((list) => {
      const values = list.map((element) => (isObject(element) && typeof element[key] === 'string' ? element[key] : undefined));
      return values.every((value) => value !== undefined) && new Set(values).size === values.length;
    }),
  );
}
