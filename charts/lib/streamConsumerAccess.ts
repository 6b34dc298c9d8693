import { AccessStatement } from '../constructs/LeastPrivilegeRole';
import { EnvironmentConfig } from './config';
import { functionRuntimeAccess } from './functionRuntimeAccess';
import { PlatformNames } from './names';
import { platformKeyUses } from './platformKeyUses';

/**
 * What both stream functions need: read the stream (polling it, or through the function's enhanced fan-out
 * consumer), dead-letter, the key, their own logs, VPC networking.
 */
export function streamConsumerAccess(
  config: EnvironmentConfig,
  names: PlatformNames,
  functionName: string,
  keyUse: Readonly<Record<string, readonly string[]>>,
  consumerArn: string | undefined,
): AccessStatement[] {
  const read: AccessStatement[] = [
    {
      sid: 'ReadStream',
      // The event source mapping's polling (and, through a consumer, its retries: Lambda's guide lists GetRecords
      // and GetShardIterator for consumer mappings too). No ListStreams (it accepts only "*" and the mapping works
      // from the stream ARN).
      actions: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
      resources: [names.streamArn],
    },
    // Through the enhanced fan-out consumer: SubscribeToShard per shard, on the consumer's exact ARN.
    ...(consumerArn === undefined ? [] : [{ sid: 'ReadThroughFanOutConsumer', actions: ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'], resources: [consumerArn] }]),
  ];
  return [
    ...read,
    {
      sid: 'SendFailedBatchesToDeadLetterQueue',
      // The mapping's on-failure destination is written with the function's role.
      actions: ['sqs:SendMessage'],
      resources: [names.deadLetterQueueArn],
    },
    ...platformKeyUses(config, names, keyUse),
    ...functionRuntimeAccess(config, names, functionName),
  ];
}
