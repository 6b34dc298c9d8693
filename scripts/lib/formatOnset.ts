import { nearestRankQuantile } from './nearestRankQuantile';
import type { OnsetOutcome } from './onsetOutcome';

/** "median 12 s, p90 40 s, 14 detected, 2 missed": the line bench:skab prints per file and pooled. */
export function formatOnset(outcome: OnsetOutcome): string {
  const seconds = (value: number): string => (Number.isNaN(value) ? '-' : `${Number(value.toFixed(1))} s`);
  const median = nearestRankQuantile(outcome.delays, 0.5);
  const p90 = nearestRankQuantile(outcome.delays, 0.9);
  return `median ${seconds(median)}   p90 ${seconds(p90)}   detected ${outcome.delays.length}   missed ${outcome.missed}`;
}
