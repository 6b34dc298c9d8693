import { MissingReadingsError } from '../errors';
import type { MinuteBucket, RawPoint } from './types';

/** Every reading inside [from, to), BAD included, with its quality, in time order (buckets sorted by minute, readings by offset). */
export function rawPoints(buckets: readonly MinuteBucket[], from: number, to: number): RawPoint[] {
  const points: RawPoint[] = [];
  for (const bucket of buckets) {
    const readings = bucket.readings;
    if (readings === undefined) throw new MissingReadingsError(`rawPoints: the readings of minute ${new Date(bucket.minute).toISOString()} were not read`);
    readings.ts.forEach((offset, index) => {
      const t = bucket.minute + offset;
      if (t >= from && t < to) points.push({ t, value: readings.values[index] as number, quality: readings.qualities[index] ?? 'GOOD' });
    });
  }
  return points;
}
