/**
 * Runs `fn` with stdout captured (the functions print EMF metrics and JSON logs there, and the
 * benchmark keeps that cost in the measurement) and returns the captured lines.
 */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const original = process.stdout.write.bind(process.stdout);
  const chunks: string[] = [];
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  try {
    const result = await fn();
    return { result, lines: chunks.join('').split('\n').filter((line) => line.length > 0) };
  } finally {
    process.stdout.write = original;
  }
}
