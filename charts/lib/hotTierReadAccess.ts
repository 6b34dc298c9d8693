import { TABLE_KEYS } from '../../functions/shared/constants';
import { AccessStatement } from '../constructs/LeastPrivilegeRole';
import { EnvironmentConfig } from './config';
import { PlatformNames } from './names';
import { platformKeyAccess } from './platformKeyAccess';

/**
 * What reading the hot tier takes, for the function and for operators alike: Query and GetItem on the
 * readings table (functions/shared/query/SeriesReader.ts), GetItem on the asset-status table and Query
 * on its line index (AssetDirectory.ts), and the key to decrypt both through DynamoDB only. No Scan, no
 * write, nothing of the detector-state table.
 */
export function hotTierReadAccess(config: EnvironmentConfig, names: PlatformNames): AccessStatement[] {
  return [
    { sid: 'ReadReadingBuckets', actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [names.tableArn(names.readingsTable)] },
    { sid: 'ReadAssetStatus', actions: ['dynamodb:GetItem'], resources: [names.tableArn(names.assetStatusTable)] },
    {
      sid: 'QueryAssetsOfLine',
      actions: ['dynamodb:Query'],
      resources: [`${names.tableArn(names.assetStatusTable)}/index/${TABLE_KEYS.assetStatus.lineIndex}`],
    },
    // DescribeKey beside Decrypt: DynamoDB checks the table's key with the caller's identity, as for the stream functions.
    platformKeyAccess(config, names, ['dynamodb'], ['kms:Decrypt', 'kms:DescribeKey'], 'DecryptTablesWithPlatformKey'),
  ];
}
