import { buildSamples } from '../../../functions/processor/buildSamples';
import type { TelemetryMessage } from '../../../functions/shared/types';

const message: TelemetryMessage = {
  schemaVersion: 1,
  assetId: 'a',
  readings: [
    { metric: 't', value: 1, ts: 2_000, quality: 'GOOD', unit: 'Cel' },
    { metric: 'p', value: 2, ts: 1_000, quality: 'BAD' },
    { metric: 'p', value: 3, ts: 2_000, quality: 'UNCERTAIN', unit: 'bar' },
    { metric: 't', value: 4, ts: 2_000, quality: 'GOOD', unit: 'Cel' },
  ],
  plantId: 'p',
  lineId: 'l',
  thingName: 't',
  clientId: 't',
  receivedAt: 3_000,
};

describe('buildSamples', () => {
  it('makes one sample per ts in ascending order; a repeated metric at one ts keeps the last value', () => {
    expect(buildSamples(message)).toEqual([
      { sample: { ts: 1_000, values: { p: { value: 2, quality: 'BAD' } } }, units: {}, readings: 1 },
      {
        sample: { ts: 2_000, values: { t: { value: 4, quality: 'GOOD' }, p: { value: 3, quality: 'UNCERTAIN' } } },
        units: { t: 'Cel', p: 'bar' },
        readings: 2,
      },
    ]);
  });
});

describe('buildSamples of a single-instant message', () => {
  it('makes one sample holding every metric', () => {
    const single: TelemetryMessage = {
      ...message,
      readings: [
        { metric: 't', value: 1, ts: 5, quality: 'GOOD', unit: 'Cel' },
        { metric: 'p', value: 2, ts: 5, quality: 'BAD' },
        { metric: 't', value: 3, ts: 5, quality: 'GOOD' },
      ],
    };
    expect(buildSamples(single)).toEqual([
      { sample: { ts: 5, values: { t: { value: 3, quality: 'GOOD' }, p: { value: 2, quality: 'BAD' } } }, units: { t: 'Cel' }, readings: 2 },
    ]);
  });
});

describe('buildSamples with metric names that Object.prototype also has', () => {
  it('keeps constructor, toString and __proto__ as metrics of their own, counted once each', () => {
    const odd: TelemetryMessage = {
      ...message,
      readings: ['constructor', 'toString', '__proto__', 'value'].map((metric, index) => ({ metric, value: index, ts: 7, quality: 'GOOD' as const })),
    };
    const [only] = buildSamples(odd);
    expect(only.readings).toBe(4);
    expect(Object.keys(only.sample.values)).toEqual(['constructor', 'toString', '__proto__', 'value']);
    expect(only.sample.values.constructor).toEqual({ value: 0, quality: 'GOOD' });
    expect(JSON.stringify(only.sample.values)).toBe('{"constructor":{"value":0,"quality":"GOOD"},"toString":{"value":1,"quality":"GOOD"},"__proto__":{"value":2,"quality":"GOOD"},"value":{"value":3,"quality":"GOOD"}}');
  });
});
