/**
 * Targets of `npm run bench`: each is checked where its figure is printed (marked MISSED when
 * missed) and counted on the benchmark's last line, so a miss cannot scroll by unnoticed.
 */
import { fmt } from './benchStats';

export interface BenchTarget {
  /** What the figure is, as the summary names it. */
  readonly name: string;
  readonly value: number;
  readonly comparison: '>=' | '<';
  readonly limit: number;
  /** Decimals the figure is printed with. */
  readonly digits: number;
  readonly unit?: string;
}

/** Whether the figure meets its target; a figure that is not a number (nothing measured) misses it. */
export function targetMet(target: BenchTarget): boolean {
  return target.comparison === '>=' ? target.value >= target.limit : target.value < target.limit;
}

function withUnit(text: string, target: BenchTarget): string {
  return target.unit === undefined ? text : `${text} ${target.unit}`;
}

/** `target >= 0.25`: the limit as written in the script (1,000, not 1,000.0). */
function targetText(target: BenchTarget): string {
  return `target ${target.comparison} ${withUnit(target.limit.toLocaleString('en-US'), target)}`;
}

/** The target as printed after its figure, then `MISSED` when missed. */
export function targetCell(target: BenchTarget): string {
  return targetMet(target) ? targetText(target) : `${targetText(target)}   MISSED`;
}

/** The last line: how many targets were missed, and which, with their figures. */
export function targetSummary(targets: readonly BenchTarget[]): string {
  const missed = targets.filter((target) => !targetMet(target));
  const head = `Targets missed: ${missed.length} of ${targets.length}`;
  if (missed.length === 0) return head;
  const which = missed.map((target) => `${target.name} ${withUnit(fmt(target.value, target.digits), target)}, ${targetText(target)}`);
  return `${head} (${which.join('; ')})`;
}
