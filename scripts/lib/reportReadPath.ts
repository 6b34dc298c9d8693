import type { ReadPathFigures } from './benchReadPath';
import { fmt } from './fmt';
import { median } from './median';

export function reportReadPath(figures: ReadPathFigures): void {
  console.log('Read path (functions/shared/query): 24 h of one 1 Hz sensor (86,400 readings in 1,440 minute buckets written by the storer), 5-minute step, all six aggregates');
  console.log(
    `  items read ${fmt(figures.itemsRead)} (${fmt(figures.capacityUnits, 1)} read units), points ${fmt(figures.points)}, ${fmt(median(figures.runsMs), 1)} ms median of ${figures.runsMs.length}   (runs: ${figures.runsMs.map((ms) => fmt(ms, 1)).join(', ')})`,
  );
}
