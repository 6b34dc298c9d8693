import { sortedDocumentJson } from './sortedDocumentJson';

/** A JSON value of a rendered document (a dashboard, a policy). */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/** A policy file or a dashboard file: keys sorted at every level, 2-space indented, ending in a newline, so byte-identical across runs. */
export function stableJson(value: unknown): string {
  return `${sortedDocumentJson(value)}\n`;
}
