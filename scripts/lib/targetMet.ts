import type { BenchTarget } from './benchTargets';

/** Whether the figure meets its target; a figure that is not a number (nothing measured) misses it. */
export function targetMet(target: BenchTarget): boolean {
  return target.comparison === '>=' ? target.value >= target.limit : target.value < target.limit;
}
