/**
 * Shared pieces of `npm run diff`: JSON values, field paths, JSON documents held in strings, and
 * the bounded rendering of values in report lines.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One step of a field path: a property name, an array index, or an array element found by its key field. */
export type PathStep = string | number | { readonly key: string; readonly value: string };

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value with object keys sorted, so two values compare equal exactly when they mean the same. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (isObject(value)) return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(value[key])]));
  return value;
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Marks the step into a JSON document held in a string: `variables.DETECTOR_CONFIG(json).warmupSamples`. */
export const JSON_STEP = '(json)';

/** `spec.batchSize`, `metadata.annotations["services.k8s.aws/region"]`, `spec.tags[key="owner"].value`, `spec.widgets[2]`. */
export function formatPath(steps: readonly PathStep[]): string {
  let text = '';
  for (const step of steps) {
    if (step === JSON_STEP) text += JSON_STEP;
    else if (typeof step === 'number') text += `[${step}]`;
    else if (typeof step === 'object') text += `[${step.key}=${JSON.stringify(step.value)}]`;
    else if (IDENTIFIER.test(step)) text += text === '' ? step : `.${step}`;
    else text += `[${JSON.stringify(step)}]`;
  }
  return text;
}

/** The steps of a JSON pointer (`/metadata/annotations/crossplane.io~1external-name`). */
export function pointerSteps(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The JSON document a string holds, when it holds an object or an array: policies and the dashboard
 * body are rendered as strings, compact or indented, and only their content counts.
 */
export function parseJsonDocument(text: string): JsonObject | Json[] | undefined {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return undefined;
  try {
    const parsed = JSON.parse(text) as Json;
    return isObject(parsed) || Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The longest value a report line shows before cutting it with `…`. */
export const MAX_VALUE_CHARS = 120;

/** Cuts text to `max` characters, the last one being `…`. */
export function cut(text: string, max: number): string {
  if (max <= 0) return '';
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** A value as one line of JSON (strings quoted, so `"250"` and `250` differ), cut to MAX_VALUE_CHARS. */
export function showValue(value: unknown): string {
  return cut(JSON.stringify(value) ?? String(value), MAX_VALUE_CHARS);
}

/** Characters of context a long changed value keeps before its first difference. */
export const WINDOW_LEAD_CHARS = 30;
/** The most characters of a long changed value shown on each side, `…` included. */
export const WINDOW_CHARS = 90;

/** Two long values cut around where they first differ (0-based `offset`), `…` marking what is left out. */
export interface DifferenceWindows {
  readonly offset: number;
  readonly before: string;
  readonly after: string;
}

/** The text a value is compared by: a string as itself (so offsets count its characters), anything else as JSON. */
export const valueText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));

/**
 * Where two texts first differ, and each cut to the same window around that point: two long values
 * that share their first MAX_VALUE_CHARS characters (an IoT rule's SQL with a clause appended) would
 * otherwise print identically.
 */
export function differenceWindows(before: string, after: string): DifferenceWindows {
  let offset = 0;
  while (offset < before.length && offset < after.length && before[offset] === after[offset]) offset += 1;
  const start = Math.max(0, offset - WINDOW_LEAD_CHARS);
  const window = (text: string): string => {
    const head = start > 0 ? '…' : '';
    const room = WINDOW_CHARS - head.length;
    const rest = text.slice(start);
    return rest.length <= room ? `${head}${rest}` : `${head}${rest.slice(0, room - 1)}…`;
  };
  return { offset, before: window(before), after: window(after) };
}
