import { edgeRows } from './edgeRows';
import { NAB_LIMITS, type NabOutcome } from './nabScore';

/** As `nabOutcome`, with the true changepoints given as rows (ascending, none before `warmupRows`). */
export function nabOutcomeAt(times: ArrayLike<number>, changepointRows: readonly number[], flags: ArrayLike<number>, warmupRows: number): NabOutcome {
  const windows: { start: number; end: number; hit: number | null }[] = [];
  for (const row of changepointRows) {
    const changepoint = times[row];
    const previousEnd = windows.length > 0 ? windows[windows.length - 1].end : -Infinity;
    windows.push({ start: Math.max(changepoint, previousEnd), end: changepoint + NAB_LIMITS.windowMs, hit: null });
  }
  let falsePositives = 0;
  let next = 0;
  for (const row of edgeRows(flags, warmupRows)) {
    const time = times[row];
    // Windows are ordered and disjoint but for shared ends; a prediction on a shared end belongs to the earlier one.
    while (next < windows.length && windows[next].end < time) next++;
    const window = windows[next];
    if (window === undefined || time < window.start) falsePositives++;
    else if (window.hit === null) window.hit = curvePosition(time, window.start, window.end);
  }
  const hits = windows.flatMap((window) => (window.hit === null ? [] : [window.hit]));
  return { hits, missed: windows.length - hits.length, falsePositives };
}

/** x of the curve point nearest to `time`: −π/2 at the window start, π/2 at its end. */
function curvePosition(time: number, start: number, end: number): number {
  const last = NAB_LIMITS.curvePoints - 1;
  const point = end > start ? Math.round(((time - start) / (end - start)) * last) : 0;
  return -Math.PI / 2 + (Math.PI * point) / last;
}
