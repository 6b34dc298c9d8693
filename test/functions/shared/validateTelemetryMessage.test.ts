import { ValidationError } from '../../../functions/shared/errors';
import { validateTelemetryMessage } from '../../../functions/shared/validateTelemetryMessage';
import { deviceReading, NOW, telemetry } from '../../helpers/records';

function rejection(payload: unknown): { reason: string; message: string } {
  try {
    validateTelemetryMessage(payload, NOW);
  } catch (error) {
    if (error instanceof ValidationError) return { reason: error.reason, message: error.message };
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('validateTelemetryMessage', () => {
  it('returns the message validated in place, defaulting quality to GOOD and ignoring unknown fields', () => {
    const payload = { ...telemetry({ readings: [{ metric: 'rpm', value: 1450, ts: NOW - 10 }] }), extra: true };
    expect(validateTelemetryMessage(payload, NOW)).toEqual({
      schemaVersion: 1,
      assetId: 'pump-07',
      seq: 1,
      readings: [{ metric: 'rpm', value: 1450, ts: NOW - 10, quality: 'GOOD' }],
      plantId: 'sp1',
      lineId: 'line-2',
      thingName: 'gw-01',
      clientId: 'gw-01',
      receivedAt: NOW - 500,
      extra: true,
    });
  });

  it('keeps unit, quality and a missing seq as given', () => {
    const message = validateTelemetryMessage(telemetry({ seq: undefined, readings: [deviceReading({ quality: 'BAD' })] }), NOW);
    expect(message.seq).toBeUndefined();
    expect(message.readings[0]).toEqual({ metric: 'temperature', value: 71.3, unit: 'Cel', ts: NOW - 1000, quality: 'BAD' });
  });

  it('accepts timestamps exactly 7 days old and exactly 5 minutes ahead', () => {
    const readings = [deviceReading({ ts: NOW - 7 * 86_400_000 }), deviceReading({ ts: NOW + 300_000 })];
    expect(validateTelemetryMessage(telemetry({ readings }), NOW).readings).toHaveLength(2);
  });

  it.each([
    ['a non-object', [1, 2], 'NOT_AN_OBJECT', 'record must be a JSON object, got [1,2]'],
    ['schema version 2', telemetry({ schemaVersion: 2 }), 'UNSUPPORTED_SCHEMA_VERSION', 'schemaVersion must be 1, got 2'],
    ['a missing schema version', telemetry({ schemaVersion: undefined }), 'UNSUPPORTED_SCHEMA_VERSION', 'schemaVersion must be 1, got missing'],
    ['an assetId with a space', telemetry({ assetId: 'pump 07' }), 'UNKNOWN_ASSET', 'assetId must match ^[A-Za-z0-9_.:-]{1,64}$, got "pump 07"'],
    ['a 65-character assetId', telemetry({ assetId: 'a'.repeat(65) }), 'UNKNOWN_ASSET', `assetId must match ^[A-Za-z0-9_.:-]{1,64}$, got "${'a'.repeat(65)}"`],
    ['no plantId', telemetry({ plantId: undefined }), 'MISSING_ENRICHMENT', 'plantId (added by the topic rule) must match ^[A-Za-z0-9_.:-]{1,64}$, got missing'],
    ['a lineId with #', telemetry({ lineId: 'a#b' }), 'MISSING_ENRICHMENT', 'lineId (added by the topic rule) must match ^[A-Za-z0-9_.:-]{1,64}$, got "a#b"'],
    ['no thingName', telemetry({ thingName: undefined }), 'MISSING_ENRICHMENT', 'thingName (added by the topic rule) must match ^[A-Za-z0-9_.:-]{1,128}$, got missing'],
    ['another client than the thing', telemetry({ clientId: 'gw-02' }), 'THING_MISMATCH', 'clientId "gw-02" is not the thing "gw-01" of the topic'],
    ['no receivedAt', telemetry({ receivedAt: undefined }), 'MISSING_ENRICHMENT', 'receivedAt (added by the topic rule) must be an integer of epoch milliseconds, got missing'],
    ['a negative seq', telemetry({ seq: -1 }), 'INVALID_SEQ', 'seq must be a non-negative integer, got -1'],
    ['no readings', telemetry({ readings: [] }), 'NO_READINGS', 'readings must be a non-empty array, got []'],
    ['readings not an array', telemetry({ readings: {} }), 'NO_READINGS', 'readings must be a non-empty array, got {}'],
    ['501 readings', telemetry({ readings: Array.from({ length: 501 }, () => deviceReading()) }), 'TOO_MANY_READINGS', 'readings has 501 entries, more than 500'],
    ['a reading that is a string', telemetry({ readings: ['x'] }), 'INVALID_READING', 'readings[0] must be an object, got "x"'],
    ['a bad metric name', telemetry({ readings: [deviceReading({ metric: 'temp/C' })] }), 'INVALID_METRIC', 'readings[0].metric must match ^[A-Za-z0-9_.:-]{1,64}$, got "temp/C"'],
    ['a missing value', telemetry({ readings: [deviceReading({ value: undefined })] }), 'INVALID_VALUE', 'readings[0].value must be a finite number, got missing'],
    ['a string value', telemetry({ readings: [deviceReading({ value: '71.3' })] }), 'INVALID_VALUE', 'readings[0].value must be a finite number, got "71.3"'],
    ['a huge value', telemetry({ readings: [deviceReading({ value: 1e16 })] }), 'VALUE_OUT_OF_RANGE', 'readings[0].value 10000000000000000 is outside the storable magnitudes [1e-30, 1000000000000000]'],
    ['a tiny value', telemetry({ readings: [deviceReading({ value: 1e-31 })] }), 'VALUE_OUT_OF_RANGE', 'readings[0].value 1e-31 is outside the storable magnitudes [1e-30, 1000000000000000]'],
    ['a fractional ts', telemetry({ readings: [deviceReading({ ts: 1.5 })] }), 'INVALID_TIMESTAMP', 'readings[0].ts must be an integer of epoch milliseconds, got 1.5'],
    ['a ts in seconds', telemetry({ readings: [deviceReading({ ts: Math.floor(NOW / 1000) })] }), 'TIMESTAMP_OUT_OF_RANGE', `readings[0].ts ${Math.floor(NOW / 1000)} is outside [arrival - 7 d, arrival + 5 min] (arrival ${NOW})`],
    ['a ts 8 days old', telemetry({ readings: [deviceReading({ ts: NOW - 8 * 86_400_000 })] }), 'TIMESTAMP_OUT_OF_RANGE', `readings[0].ts ${NOW - 8 * 86_400_000} is outside [arrival - 7 d, arrival + 5 min] (arrival ${NOW})`],
    ['a ts 6 minutes ahead', telemetry({ readings: [deviceReading(), deviceReading({ ts: NOW + 360_000 })] }), 'TIMESTAMP_OUT_OF_RANGE', `readings[1].ts ${NOW + 360_000} is outside [arrival - 7 d, arrival + 5 min] (arrival ${NOW})`],
    ['an unknown quality', telemetry({ readings: [deviceReading({ quality: 'good' })] }), 'INVALID_QUALITY', 'readings[0].quality must be GOOD, UNCERTAIN or BAD, got "good"'],
    ['a unit with a space', telemetry({ readings: [deviceReading({ unit: 'deg C' })] }), 'INVALID_UNIT', 'readings[0].unit must be a UCUM code (1-32 printable characters), got "deg C"'],
  ])('rejects %s', (_name, payload, reason, message) => {
    expect(rejection(payload)).toEqual({ reason, message });
  });
});
