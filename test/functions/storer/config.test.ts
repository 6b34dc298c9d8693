import { Environment } from '../../../functions/shared/Environment';
import { readStorerConfig } from '../../../functions/storer/config';

describe('readStorerConfig', () => {
  it('reads the storer variables', () => {
    expect(readStorerConfig(new Environment({ READINGS_TABLE: 'dynamodb-readings-dev', ARCHIVE_BUCKET: 'archive', HOT_RETENTION_DAYS: '30' }))).toEqual({
      readingsTable: 'dynamodb-readings-dev',
      archiveBucket: 'archive',
      hotRetentionDays: 30,
    });
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => readStorerConfig(new Environment({ ARCHIVE_BUCKET: 'a', HOT_RETENTION_DAYS: '1' }))).toThrow('environment variable READINGS_TABLE is required');
    expect(() => readStorerConfig(new Environment({ READINGS_TABLE: 'r', ARCHIVE_BUCKET: 'a', HOT_RETENTION_DAYS: '0' }))).toThrow(
      'environment variable HOT_RETENTION_DAYS must be an integer from 1 to 3650, got "0"',
    );
  });
});
