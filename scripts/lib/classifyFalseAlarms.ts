/**
 * Where a file's false alarms are. A false-positive row (flagged, labelled normal, after the
 * warm-up) belongs to a flagged span; that span either also covers labelled rows, and then the
 * row trails them (the flag held after the label ended) or leads them (the flag came before the
 * label began), or it covers none and stands apart (a false episode of its own). The three call
 * for different remedies: how episodes end, how early they open, how often they open on nothing.
 */

export interface FalseAlarmKinds {
  /** In a span that also covers labelled rows, after the first of them. */
  readonly trailing: number;
  /** In a span that also covers labelled rows, before the first of them. */
  readonly leading: number;
  /** In a span that covers no labelled row. */
  readonly apart: number;
}

export function classifyFalseAlarms(flags: ArrayLike<number>, labels: ArrayLike<number>, warmupRows: number): FalseAlarmKinds {
  let trailing = 0;
  let leading = 0;
  let apart = 0;
  let row = 0;
  while (row < flags.length) {
    if (!(flags[row] > 0)) {
      row++;
      continue;
    }
    let end = row;
    while (end < flags.length && flags[end] > 0) end++;
    let firstLabelled = -1;
    for (let at = row; at < end && firstLabelled < 0; at++) if (labels[at] > 0) firstLabelled = at;
    for (let at = Math.max(row, warmupRows); at < end; at++) {
      if (labels[at] > 0) continue;
      if (firstLabelled < 0) apart++;
      else if (at > firstLabelled) trailing++;
      else leading++;
    }
    row = end;
  }
  return { trailing, leading, apart };
}
