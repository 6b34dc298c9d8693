import { edgeRows } from './edgeRows';
import { nabOutcomeAt } from './nabOutcomeAt';
import type { NabOutcome } from './nabScore';

/**
 * Windows, hits and false positives of one file. `times` are the rows' epoch milliseconds;
 * `labels` the true anomaly labels (their edges are the true changepoints); `flags` the detector's flags.
 */
export function nabOutcome(times: ArrayLike<number>, labels: ArrayLike<number>, flags: ArrayLike<number>, warmupRows: number): NabOutcome {
  return nabOutcomeAt(times, edgeRows(labels, warmupRows), flags, warmupRows);
}
