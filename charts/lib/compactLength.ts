/** The size AWS counts against policy limits: the document without whitespace outside strings. */
export function compactLength(document: string): number {
  return JSON.stringify(JSON.parse(document)).length;
}
