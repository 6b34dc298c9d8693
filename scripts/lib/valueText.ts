/** The text a value is compared by: a string as itself (so offsets count its characters), anything else as JSON. */
export const valueText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
