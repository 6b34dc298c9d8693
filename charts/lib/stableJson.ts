import { sortedDocumentJson } from './sortedDocumentJson';

/** A policy file: keys sorted at every level, 2-space indented, ending in a newline, so byte-identical across runs. */
export function stableJson(value: unknown): string {
  return `${sortedDocumentJson(value)}\n`;
}
