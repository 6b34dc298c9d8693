import { IOT_LIMITS, KINESIS_LIMITS } from './local/constants';
import type { ReplayableRule } from './redriveIotRules';

/**
 * What an IoT rule's error action writes when an action fails (AWS IoT developer guide, "Error handling
 * (error action)"): one document per rule and message, with the message's topic, client and payload.
 */
export interface ErrorActionDocument {
  readonly ruleName: string;
  /** The topic the message was published to; with Basic Ingest it may carry the `$aws/rules/<rule>/` prefix. */
  readonly topic: string;
  readonly clientId: string;
  readonly payload: Buffer;
  /** `failedAction: errorMessage` of each failure, for the report. */
  readonly failures: readonly string[];
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The document, or why the object is not one (every field the replay relies on is checked). */
export function parseErrorActionDocument(body: string): { readonly ok: true; readonly document: ErrorActionDocument } | { readonly ok: false; readonly reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'not a JSON object' };
  const fields = parsed as Record<string, unknown>;
  for (const name of ['ruleName', 'topic', 'base64OriginalPayload'] as const) {
    if (typeof fields[name] !== 'string' || fields[name] === '') return { ok: false, reason: `no ${name} string` };
  }
  const encoded = fields.base64OriginalPayload as string;
  if (!BASE64.test(encoded)) return { ok: false, reason: 'base64OriginalPayload is not base64' };
  // AWS writes the client id; a document without one still rebuilds (the rule's clientid() is then empty).
  if (fields.clientId !== undefined && typeof fields.clientId !== 'string') return { ok: false, reason: 'clientId is not a string' };
  const failures = Array.isArray(fields.failures) ? fields.failures : [];
  return {
    ok: true,
    document: {
      ruleName: fields.ruleName as string,
      topic: fields.topic as string,
      clientId: (fields.clientId as string | undefined) ?? '',
      payload: Buffer.from(encoded, 'base64'),
      failures: failures.map((failure) => {
        const { failedAction, errorMessage } = (failure ?? {}) as { failedAction?: unknown; errorMessage?: unknown };
        return `${String(failedAction ?? '?')}: ${String(errorMessage ?? '')}`;
      }),
    },
  };
}

/** Why an object is left in place without being replayed, in the order the summary lists them. */
export const LEFT_REASONS = [
  'dry run',
  'read error',
  'malformed',
  'unknown rule',
  'other topic',
  'not JSON',
  'no partition key',
  'too large',
  'put failed',
] as const;
export type LeftReason = (typeof LEFT_REASONS)[number];

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
  const partitionKey = rule.substitute(replayable.partitionKeyTemplate, outcome.result, context);
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
