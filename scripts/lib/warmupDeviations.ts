import type { ReplayFile } from './readReplayFile';
import { SKAB_WARMUP_ROWS } from './skabScore';

/** Standard deviation of each metric over the first `rows` rows (the SKAB warm-up), for step sizes. */
export function warmupDeviations(file: ReplayFile, rows = SKAB_WARMUP_ROWS): ReadonlyMap<string, number> {
  const deviations = new Map<string, number>();
  for (const metric of file.metrics) {
    const values = file.samples.slice(0, rows).flatMap(({ sample }) => (sample.values[metric] === undefined ? [] : [sample.values[metric].value]));
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    deviations.set(metric, Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length));
  }
  return deviations;
}
