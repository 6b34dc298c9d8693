import { IOT_LIMITS, KINESIS_LIMITS } from './local/constants';
import type { ErrorActionDocument, LeftReason } from './redriveIotDocument';
import type { ReplayableRule } from './redriveIotRules';

/** The record the rule would have put, or why there is none. */
export type RebuiltRecord =
  | { readonly ok: true; readonly rule: ReplayableRule; readonly partitionKey: string; readonly data: Buffer }
  | { readonly ok: false; readonly reason: LeftReason; readonly detail: string };

/**
 * Runs the rendered rule again on the original message, as the local pipeline's gateway does: its SQL on
 * the payload (the topic without the Basic Ingest prefix, the client id, and `arrivalMs` as timestamp()),
 * then its Kinesis action's partition key template on the result.
 */
export function rebuildRecord(document: ErrorActionDocument, rules: readonly ReplayableRule[], arrivalMs: number): RebuiltRecord {
  const replayable = rules.find((candidate) => candidate.rule.name === document.ruleName);
  if (replayable === undefined) {
    return { ok: false, reason: 'unknown rule', detail: `rule ${document.ruleName} is not one of ${rules.map((r) => r.rule.name).join(', ')}` };
  }
  const { rule } = replayable;
  const basicIngest = `$aws/rules/${rule.name}/`;
  const topic = document.topic.startsWith(basicIngest) ? document.topic.slice(basicIngest.length) : document.topic;
  const context = { topic, clientId: document.clientId, timestamp: arrivalMs };
  const outcome = rule.evaluate(document.payload, context);
  if (outcome.kind === 'no-match') return { ok: false, reason: 'other topic', detail: `topic ${document.topic} is not matched by the rule's FROM '${rule.filter}'` };
  if (outcome.kind === 'parse-error') return { ok: false, reason: 'not JSON', detail: `the payload is not a JSON object (${outcome.detail}): the rule cannot evaluate it` };
  const partitionKey = rule.substitute(replayable.partitionKeyTemplate, outcome.payload, context);
  if (partitionKey === '' || partitionKey.length > KINESIS_LIMITS.partitionKeyMaxChars) {
    return {
      ok: false,
      reason: 'no partition key',
      detail: `the partition key ${replayable.partitionKeyTemplate} is ${partitionKey === '' ? 'empty' : `${partitionKey.length} characters`} for this payload: Kinesis refuses it, as it refused the rule`,
    };
  }
  const data = Buffer.from(JSON.stringify(outcome.result));
  const bytes = data.length + Buffer.byteLength(partitionKey);
  if (bytes > IOT_LIMITS.maxRecordBytes) {
    return { ok: false, reason: 'too large', detail: `the record and its partition key are ${bytes} bytes, over Kinesis's ${IOT_LIMITS.maxRecordBytes}` };
  }
  return { ok: true, rule: replayable, partitionKey, data };
}
