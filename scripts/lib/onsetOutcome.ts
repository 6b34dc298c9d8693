import { SKAB_WARMUP_ROWS } from './skabScore';

export interface OnsetOutcome {
  /** Seconds from each detected onset to its first flag, in label order. */
  readonly delays: readonly number[];
  /** Onsets whose labelled span got no flag at all. */
  readonly missed: number;
}

/**
 * Delays of one file. `times` are epoch milliseconds; only onsets at or after `warmupRows` count
 * (an onset inside the warm-up cannot be judged). A flag already raised before the onset that is
 * still on at it counts as delay 0: the span is flagged from its start.
 */
export function onsetOutcome(times: ArrayLike<number>, labels: ArrayLike<number>, flags: ArrayLike<number>, warmupRows = SKAB_WARMUP_ROWS): OnsetOutcome {
  const delays: number[] = [];
  let missed = 0;
  for (let row = Math.max(warmupRows, 1); row < labels.length; row++) {
    if (!(labels[row] > 0) || labels[row - 1] > 0) continue;
    let found = -1;
    for (let at = row; at < labels.length && labels[at] > 0; at++) {
      if (flags[at] > 0) {
        found = at;
        break;
      }
    }
    if (found < 0) missed++;
    else delays.push((times[found] - times[row]) / 1000);
  }
  return { delays, missed };
}
