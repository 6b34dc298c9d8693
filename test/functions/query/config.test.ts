import { readQueryConfig } from '../../../functions/query/config';
import { Environment } from '../../../functions/shared/Environment';

const ENVIRONMENT = { READINGS_TABLE: 'dynamodb-readings-dev', ASSET_STATUS_TABLE: 'dynamodb-asset-status-dev', PLANT_ID: 'sp01', HOT_RETENTION_DAYS: '90' };

describe('readQueryConfig', () => {
  it('reads the tables and the plant whose lines it lists', () => {
    expect(readQueryConfig(new Environment(ENVIRONMENT))).toEqual({ readingsTable: 'dynamodb-readings-dev', assetStatusTable: 'dynamodb-asset-status-dev', plantId: 'sp01', hotRetentionDays: 90 });
  });

  test.each([
    ['READINGS_TABLE', { ...ENVIRONMENT, READINGS_TABLE: ' ' }, 'environment variable READINGS_TABLE is required'],
    ['ASSET_STATUS_TABLE', { READINGS_TABLE: 'r', PLANT_ID: 'sp01' }, 'environment variable ASSET_STATUS_TABLE is required'],
    ['PLANT_ID', { ...ENVIRONMENT, PLANT_ID: 'sp 01' }, 'environment variable PLANT_ID must match [A-Za-z0-9_.:-]{1,64}, got "sp 01"'],
    ['HOT_RETENTION_DAYS', { ...ENVIRONMENT, HOT_RETENTION_DAYS: '0' }, 'environment variable HOT_RETENTION_DAYS must be an integer from 1 to 3650, got "0"'],
  ])('names the variable that is missing or wrong: %s', (_name, env, message) => {
    expect(() => readQueryConfig(new Environment(env))).toThrow(message);
  });
});
