import { parseKinesisRecord } from '../../../functions/shared/parseKinesisRecord';
import { kinesisRecord, NOW, telemetry } from '../../helpers/records';

// An error validation did not foresee (a defect, not a ValidationError) must not fail the batch:
// decoding and validating are pure, so every retry would fail the same way.
jest.mock('../../../functions/shared/validateTelemetryMessage', () => ({
  validateTelemetryMessage: () => {
    throw new TypeError('Cannot read properties of undefined');
  },
}));

describe('parseKinesisRecord on an unforeseen validation error', () => {
  it('quarantines the record as UNREADABLE with the error, keeping its data', () => {
    const record = kinesisRecord(telemetry());
    expect(parseKinesisRecord(record, 0, NOW)).toMatchObject({
      kind: 'invalid',
      reason: 'UNREADABLE',
      detail: 'record could not be validated: TypeError: Cannot read properties of undefined',
      data: record.kinesis.data,
    });
  });
});
