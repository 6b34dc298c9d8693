/** An AWS SDK error (or any) as one line: its name and the first line of its message. */
export function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${(e.message ?? String(error)).split('\n')[0]}`;
}
