import { Environment } from '../../../functions/shared/Environment';
import { readStorerConfig } from '../../../functions/storer/config';

describe('readStorerConfig', () => {
  it('reads the storer variables, outside Lambda with its smallest memory', () => {
    expect(readStorerConfig(new Environment({ READINGS_TABLE: 'dynamodb-readings-dev', ARCHIVE_BUCKET: 'archive', HOT_RETENTION_DAYS: '30' }))).toEqual({
      readingsTable: 'dynamodb-readings-dev',
      archiveBucket: 'archive',
      hotRetentionDays: 30,
      memoryMb: 128,
    });
  });

  it('reads the memory Lambda gives the function, which sizes the bucket cache', () => {
    const env = { READINGS_TABLE: 'r', ARCHIVE_BUCKET: 'a', HOT_RETENTION_DAYS: '1' };
    expect(readStorerConfig(new Environment({ ...env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024' })).memoryMb).toBe(1024);
    expect(() => readStorerConfig(new Environment({ ...env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '64' }))).toThrow(
      'environment variable AWS_LAMBDA_FUNCTION_MEMORY_SIZE must be an integer from 128 to 10240, got "64"',
    );
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => readStorerConfig(new Environment({ ARCHIVE_BUCKET: 'a', HOT_RETENTION_DAYS: '1' }))).toThrow('environment variable READINGS_TABLE is required');
    expect(() => readStorerConfig(new Environment({ READINGS_TABLE: 'r', ARCHIVE_BUCKET: 'a', HOT_RETENTION_DAYS: '0' }))).toThrow(
      'environment variable HOT_RETENTION_DAYS must be an integer from 1 to 3650, got "0"',
    );
  });
});
