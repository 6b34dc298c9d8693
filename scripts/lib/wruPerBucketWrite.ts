import { LIMITS } from '../../functions/shared/constants';
import { ceilDiv } from './ceilDiv';
import { COST_SIZES } from './cost';

/**
 * Average WRUs of one bucket write: each write puts the whole item as it stands, so with k writes a
 * minute the j-th holds j/k of the minute's readings (PutItem bills ceil(size / 1 KB)).
 */
export function wruPerBucketWrite(readingsPerSensorMinute: number, writesPerSensorMinute: number): number {
  const k = Math.max(1, Math.round(writesPerSensorMinute));
  const readings = Math.min(Math.max(1, readingsPerSensorMinute), LIMITS.maxReadingsPerBucket);
  let units = 0;
  for (let j = 1; j <= k; j += 1) units += ceilDiv(COST_SIZES.bucketItemBase + (readings * j * COST_SIZES.bucketItemPerReading) / k, COST_SIZES.dynamodbWriteUnit);
  return units / k;
}
