/** The counts a stream passes through from `from` to `to`, each call at most doubling or halving. */
export function reshardingSteps(from: number, to: number): number[] {
  const steps: number[] = [];
  let current = from;
  while (current !== to) {
    current = to > current ? Math.min(to, current * 2) : Math.max(to, Math.ceil(current / 2));
    steps.push(current);
  }
  return steps;
}
