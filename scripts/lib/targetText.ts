import type { BenchTarget } from './benchTargets';
import { withUnit } from './withUnit';

/** `target >= 0.25`: the limit as written in the script (1,000, not 1,000.0). */
export function targetText(target: BenchTarget): string {
  return `target ${target.comparison} ${withUnit(target.limit.toLocaleString('en-US'), target)}`;
}
