import { isObject } from './isObject';
import { JsonObject } from './manifestDiffValues';

export function isDashboardBody(document: unknown): document is JsonObject {
  return isObject(document) && Array.isArray(document.widgets);
}
