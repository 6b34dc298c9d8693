/**
 * Item writes per sensor-minute: an invocation every `interval` seconds touches the minute buckets its
 * interval overlaps, on average 1 + interval/60 of them, so a minute is written 60/interval + 1 times
 * (2 with the full 60 s window: the bench's 30 readings per write at 1 reading/s), never more often
 * than it receives readings.
 */
export function bucketWritesPerSensorMinute(readingsPerSensorMinute: number, intervalSeconds: number): number {
  return Math.min(readingsPerSensorMinute, 60 / intervalSeconds + 1);
}
