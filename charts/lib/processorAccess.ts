import { QUARANTINE_PREFIX } from '../../functions/shared/constants';
import { AccessStatement } from '../constructs/LeastPrivilegeRole';
import { EnvironmentConfig } from './config';
import { STREAM_CONSUMER_KEY_USE, STREAM_PUBLISHER_KEY_USE } from './constants';
import { PlatformNames } from './names';
import { streamConsumerAccess } from './streamConsumerAccess';

/**
 * The processor's permissions, the one place to change them (each line names the code that needs it).
 * The asset-status index (`/index/byLine`) is not granted: the processor never queries it.
 */
export function processorAccess(config: EnvironmentConfig, names: PlatformNames): AccessStatement[] {
  return [
    {
      sid: 'UpdateAssetStatus',
      // functions/processor/StatusStore.ts: conditional UpdateItem per asset and per thing.
      actions: ['dynamodb:UpdateItem'],
      resources: [names.tableArn(names.assetStatusTable)],
    },
    {
      sid: 'CheckpointDetectorState',
      // functions/processor/DetectorStateStore.ts: BatchGetItem to restore, BatchWriteItem to checkpoint, UpdateItem to claim a shard's lease.
      actions: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem'],
      resources: [names.tableArn(names.detectorStateTable)],
    },
    {
      sid: 'PublishAlerts',
      // functions/processor/AlertPublisher.ts
      actions: ['sns:Publish'],
      resources: [names.alertTopicArn],
    },
    {
      sid: 'QuarantineInvalidRecords',
      // functions/shared/QuarantineWriter.ts, under the processor's own prefix only.
      actions: ['s3:PutObject'],
      resources: [`${names.archiveBucketArn}/${QUARANTINE_PREFIX}processor/*`],
    },
    ...streamConsumerAccess(config, names, names.processorFunction, { ...STREAM_CONSUMER_KEY_USE, ...STREAM_PUBLISHER_KEY_USE }, config.capacity.processorConsumerArn),
  ];
}
