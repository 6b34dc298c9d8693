/**
 * `--from -6h` as `--from=-6h`: parseArgs takes a value that starts with a dash for a flag, but a
 * relative time is what operators type most.
 */
export function joinRelativeTimes(args: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const next = args[i + 1];
    if ((arg === '--from' || arg === '--to') && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      i += 1;
    } else joined.push(arg);
  }
  return joined;
}
