import { cut } from './cut';
import { MAX_VALUE_CHARS } from './manifestDiffValues';

/** A value as one line of JSON (strings quoted, so `"250"` and `250` differ), cut to MAX_VALUE_CHARS. */
export function showValue(value: unknown): string {
  return cut(JSON.stringify(value) ?? String(value), MAX_VALUE_CHARS);
}
