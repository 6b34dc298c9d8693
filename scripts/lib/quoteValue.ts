/** The longest value quoted in a message; longer ones (policies, inline documents) are cut. */
const MAX_VALUE_CHARS = 80;

export function quoteValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}
