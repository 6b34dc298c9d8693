import { join } from 'node:path';
import { kinesisSource } from './kinesisSource';
import type { LocalManifests } from './LocalManifests';
import type { LocalPolicyEnforcer } from './LocalPolicyEnforcer';

/** What Lambda's poller calls on a stream with the function's role (the AWSLambdaKinesisExecutionRole actions). */
const STREAM_ACTIONS = ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'] as const;
/** And on an enhanced fan-out consumer it reads through. */
const CONSUMER_ACTIONS = ['kinesis:SubscribeToShard', 'kinesis:DescribeStreamConsumer'] as const;

/**
 * Refuses, before anything starts, an event source mapping whose function's role may not read its source or
 * send to its on-failure destination under the rendered policies (the queue policy included), as Lambda
 * refuses to create it (InvalidParameterValueException). Every mapping is checked, enabled or not, as a deploy
 * creates them all; each call is decided again when the pollers make it.
 */
export async function refuseUnauthorizedMappings(manifests: Pick<LocalManifests, 'directory' | 'mappings' | 'functions'>, policies: LocalPolicyEnforcer): Promise<void> {
  for (const mapping of manifests.mappings) {
    const fn = manifests.functions.find((candidate) => candidate.objectName === mapping.functionObjectName);
    if (fn?.roleName === undefined) continue;
    const { streamArn, consumer } = kinesisSource(mapping.eventSourceArn);
    const calls = [
      ...STREAM_ACTIONS.map((action) => ({ action, resource: streamArn, service: 'Kinesis' })),
      ...(consumer === undefined ? [] : CONSUMER_ACTIONS.map((action) => ({ action, resource: mapping.eventSourceArn, service: 'Kinesis' }))),
      { action: 'sqs:SendMessage', resource: mapping.onFailureDestination ?? '', service: 'SQS' },
    ];
    for (const { action, resource, service } of calls) {
      const decision = await policies.authorizeAs({ roleName: fn.roleName, session: fn.name, action, resource });
      if (decision.outcome === 'allowed') continue;
      throw new Error(
        `mapping ${mapping.objectName} (${join(manifests.directory, mapping.file)}): AWS refuses it: InvalidParameterValueException: ` +
          `The provided execution role does not have permissions to call ${action.split(':')[1] ?? action} on ${service} (${decision.message})`,
      );
    }
  }
}
