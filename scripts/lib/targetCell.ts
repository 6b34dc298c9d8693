import type { BenchTarget } from './benchTargets';
import { targetMet } from './targetMet';
import { targetText } from './targetText';

/** The target as printed after its figure, then `MISSED` when missed. */
export function targetCell(target: BenchTarget): string {
  return targetMet(target) ? targetText(target) : `${targetText(target)}   MISSED`;
}
