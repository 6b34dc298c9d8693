export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = previewJson(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * JSON of a parsed value for a message. JSON.parse accepts nesting deeper than JSON.stringify can
 * walk (it overflows the stack), so a deeply nested field is shown by its type instead of throwing.
 */
function previewJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return Array.isArray(value) ? '[nested too deeply to show]' : '{nested too deeply to show}';
  }
}
