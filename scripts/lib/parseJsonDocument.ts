import { isObject } from './isObject';
import type { Json, JsonObject } from './manifestDiffValues';

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
