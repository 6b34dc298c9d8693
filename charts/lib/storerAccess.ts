import { QUARANTINE_PREFIX } from '../../functions/shared/constants';
import { AccessStatement } from '../constructs/LeastPrivilegeRole';
import { EnvironmentConfig } from './config';
import { STREAM_CONSUMER_KEY_USE } from './constants';
import { PlatformNames } from './names';
import { streamConsumerAccess } from './streamConsumerAccess';

/** The storer's permissions, the one place to change them. */
export function storerAccess(config: EnvironmentConfig, names: PlatformNames): AccessStatement[] {
  return [
    {
      sid: 'ReadWriteReadingBuckets',
      // functions/storer/BucketStore.ts: GetItem (consistent) then a version-conditioned PutItem per bucket.
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [names.tableArn(names.readingsTable)],
    },
    {
      sid: 'QuarantineInvalidRecords',
      actions: ['s3:PutObject'],
      resources: [`${names.archiveBucketArn}/${QUARANTINE_PREFIX}storer/*`],
    },
    ...streamConsumerAccess(config, names, names.storerFunction, STREAM_CONSUMER_KEY_USE, undefined),
  ];
}
