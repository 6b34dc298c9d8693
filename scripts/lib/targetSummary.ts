import type { BenchTarget } from './benchTargets';
import { fmt } from './fmt';
import { targetMet } from './targetMet';
import { targetText } from './targetText';
import { withUnit } from './withUnit';

/** The last line: how many targets were missed, and which, with their figures. */
export function targetSummary(targets: readonly BenchTarget[]): string {
  const missed = targets.filter((target) => !targetMet(target));
  const head = `Targets missed: ${missed.length} of ${targets.length}`;
  if (missed.length === 0) return head;
  const which = missed.map((target) => `${target.name} ${withUnit(fmt(target.value, target.digits), target)}, ${targetText(target)}`);
  return `${head} (${which.join('; ')})`;
}
