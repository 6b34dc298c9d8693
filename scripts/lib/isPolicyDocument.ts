import { isObject } from './isObject';
import { JsonObject } from './manifestDiffValues';

/** A policy document: an object with `Statement`. */
export function isPolicyDocument(document: unknown): document is JsonObject {
  return isObject(document) && 'Statement' in document;
}
