import type { Sample, SampleValue } from '../shared/detector';
import { metricRecord } from '../shared/metricRecord';
import type { TelemetryMessage } from '../shared/types';

/** One detector sample with what the alert needs beside it. */
export interface SampleWithUnits {
  readonly sample: Sample;
  /** Unit per metric where the reading named one. */
  readonly units: Readonly<Record<string, string>>;
  /** Readings folded into the sample (a repeated metric at the same ts counts once: the last wins). */
  readonly readings: number;
}

/**
 * Builds the detector's samples from one message: the readings sharing a timestamp form one
 * sample, in ascending ts order. Two readings of one metric at one ts cannot both be judged;
 * the later one in the message wins, as a correction would.
 */
export function buildSamples(message: TelemetryMessage): SampleWithUnits[] {
  const readings = message.readings;
  const ts = readings[0]?.ts;
  if (ts !== undefined && readings.every((r) => r.ts === ts)) {
    // The usual message: one reading per metric at one instant; no grouping needed.
    const values = metricRecord<SampleValue>();
    const units = metricRecord<string>();
    let count = 0;
    for (const reading of readings) {
      if (values[reading.metric] === undefined) count += 1;
      values[reading.metric] = { value: reading.value, quality: reading.quality };
      if (reading.unit !== undefined) units[reading.metric] = reading.unit;
    }
    return [{ sample: { ts, values }, units, readings: count }];
  }
  const byTs = new Map<number, { values: Record<string, SampleValue>; units: Record<string, string> }>();
  for (const reading of message.readings) {
    let entry = byTs.get(reading.ts);
    if (entry === undefined) {
      entry = { values: metricRecord<SampleValue>(), units: metricRecord<string>() };
      byTs.set(reading.ts, entry);
    }
    entry.values[reading.metric] = { value: reading.value, quality: reading.quality };
    if (reading.unit !== undefined) entry.units[reading.metric] = reading.unit;
  }
  const samples: SampleWithUnits[] = [];
  for (const [ts, { values, units }] of byTs) {
    samples.push({ sample: { ts, values }, units, readings: Object.keys(values).length });
  }
  return samples.sort((a, b) => a.sample.ts - b.sample.ts);
}
