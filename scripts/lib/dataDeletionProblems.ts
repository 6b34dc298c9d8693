import { apiGroupOf } from '../../charts/lib/apiGroupOf';
import { describeObject } from './describeObject';
import { indexByIdentity } from './indexByIdentity';
import { metadataOf } from '../../charts/lib/metadataOf';
import { PreflightProblem } from './preflightProblem';
import type { RenderedFile, RenderedObject } from './preflightRendering';

/** Kinds whose deletion deletes data, and what removing one takes. */
export const DATA_KINDS: readonly { readonly group: string; readonly kind: string; readonly loses: string; readonly todo: string }[] = [
  {
    group: 'dynamodb.services.k8s.aws',
    kind: 'Table',
    loses: 'the controller deletes the table with every item',
    todo: 'export the items first (DynamoDB export to S3) or keep the object until nobody needs them',
  },
  {
    group: 's3.services.k8s.aws',
    kind: 'Bucket',
    loses: 'the controller deletes the bucket once it is empty',
    todo: 'copy the objects elsewhere and empty the bucket yourself (AWS deletes only empty buckets), or keep the object',
  },
  {
    group: 'sqs.services.k8s.aws',
    kind: 'Queue',
    loses: 'the controller deletes the queue with the messages in it',
    todo: 'drain it first (npm run redrive) or keep the object',
  },
  {
    group: 'kinesis.aws.m.upbound.io',
    kind: 'Stream',
    loses: 'the provider deletes the stream with up to 7 days of records',
    todo: 'let every consumer catch up (iterator age 0) and Firehose deliver, or keep the object',
  },
  {
    // The functions' and IoT Core's logs: the controller calls DeleteLogGroup, which deletes every event.
    group: 'cloudwatchlogs.services.k8s.aws',
    kind: 'LogGroup',
    loses: 'the controller deletes the log group with every event in it',
    todo: 'export the events first (aws logs create-export-task to S3) if anyone needs them, or keep the object',
  },
  {
    group: 'kms.services.k8s.aws',
    kind: 'Key',
    loses: 'the controller schedules the key for deletion, and whatever it encrypts becomes unreadable after the 7-30 day window',
    todo: 're-encrypt every store under another key first, or keep the object',
  },
];

/** True when deleting the object leaves the AWS resource in place (ACK retain, or Crossplane without Delete). */
function retainsResource(object: RenderedObject): boolean {
  if (metadataOf(object).annotations['services.k8s.aws/deletion-policy'] === 'retain') return true;
  const policies = (object.spec as { managementPolicies?: unknown } | undefined)?.managementPolicies;
  return Array.isArray(policies) && !policies.includes('Delete') && !policies.includes('*');
}

/** What pruning the object deletes and what to do first, or undefined when it holds no data or its resource is retained. */
export function dataLossOf(object: RenderedObject): { readonly loses: string; readonly todo: string } | undefined {
  const dataKind = DATA_KINDS.find((entry) => entry.group === apiGroupOf(object) && entry.kind === object.kind);
  return dataKind === undefined || retainsResource(object) ? undefined : { loses: dataKind.loses, todo: dataKind.todo };
}

/** Objects holding data that the previous rendering had and the current one drops: Argo CD would prune them. */
export function dataDeletionProblems(previous: readonly RenderedFile[], current: readonly RenderedFile[]): PreflightProblem[] {
  const now = indexByIdentity(current);
  return [...indexByIdentity(previous).entries()].flatMap(([key, old]) => {
    const loss = now.has(key) ? undefined : dataLossOf(old.object);
    if (!loss) return [];
    return [
      {
        subject: describeObject(old.file, old.object),
        field: '(object)',
        wrong: `removed, so Argo CD prunes it and ${loss.loses}`,
        todo: loss.todo,
      },
    ];
  });
}
