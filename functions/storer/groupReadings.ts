import { sensorIdOf } from '../shared/sensorIdOf';
import type { TelemetryMessage, RecordOrigin } from '../shared/types';
import { minuteOf } from './minuteOf';
import type { BucketGroup } from './types';

/**
 * Groups the readings of a batch per sensor per minute, keeping shard order inside each group and
 * noting which record each reading came from, so a failed group can name its first record.
 */
export function groupReadings(records: ReadonlyArray<{ origin: RecordOrigin; message: TelemetryMessage }>): BucketGroup[] {
  const groups = new Map<string, BucketGroup>();
  for (const { origin, message } of records) {
    for (const reading of message.readings) {
      const sensorId = sensorIdOf(message.assetId, reading.metric);
      const minute = minuteOf(reading.ts);
      const key = `${sensorId}|${minute}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = { sensorId, assetId: message.assetId, metric: reading.metric, minute, contributions: [] };
        groups.set(key, group);
      }
      const last = group.contributions[group.contributions.length - 1];
      if (last !== undefined && last.origin.index === origin.index) {
        last.readings.push(reading);
      } else {
        group.contributions.push({ origin, readings: [reading] });
      }
    }
  }
  return [...groups.values()];
}
