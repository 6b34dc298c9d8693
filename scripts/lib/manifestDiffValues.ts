/**
 * Shared pieces of `npm run diff`: JSON values, field paths, JSON documents held in strings, and
 * the bounded rendering of values in report lines.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One step of a field path: a property name, an array index, or an array element found by its key field. */
export type PathStep = string | number | { readonly key: string; readonly value: string };

/** Marks the step into a JSON document held in a string: `variables.DETECTOR_CONFIG(json).warmupSamples`. */
export const JSON_STEP = '(json)';

/** The longest value a report line shows before cutting it with `…`. */
export const MAX_VALUE_CHARS = 120;

/** Characters of context a long changed value keeps before its first difference. */
export const WINDOW_LEAD_CHARS = 30;
/** The most characters of a long changed value shown on each side, `…` included. */
export const WINDOW_CHARS = 90;
