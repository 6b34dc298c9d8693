/** `Name: message` of a caught error, for a message that has to name its cause. */
export function errorSummary(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
