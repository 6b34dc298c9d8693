/** A JSON value of the dashboard. */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/** JSON with object keys sorted at every depth and two-space indentation: byte-stable and diffable. */
export function prettyStableJson(value: Json): string {
  const sorted = (node: Json): Json => {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map(sorted);
    const record = node as { readonly [key: string]: Json };
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, sorted(record[key] as Json)]),
    );
  };
  return `${JSON.stringify(sorted(value), null, 2)}\n`;
}
