/** Sums a metric over the EMF documents among captured lines. */
export function emfTotal(lines: readonly string[], metric: string): number {
  let total = 0;
  for (const line of lines) {
    if (!line.includes('"_aws"')) continue;
    const document = JSON.parse(line) as Record<string, unknown>;
    const value = document[metric];
    if (typeof value === 'number') total += value;
    else if (Array.isArray(value)) total += value.reduce((a: number, b: unknown) => a + Number(b), 0);
  }
  return total;
}
