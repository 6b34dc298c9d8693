import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { decodeBucketItem } from '../../../functions/storer/decodeBucketItem';
import type { AckedMessage } from '../fleet/types';
import { parseBatchFailure } from '../redriveDocument';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './constants';
import type { FakeAwsServer } from './FakeAwsServer';
import type { FakeSqsServer } from './FakeSqsServer';

export interface HotTierAudit {
  readonly readingsAcked: number;
  readonly stored: number;
  readonly quarantined: number;
  readonly deadLettered: number;
  readonly missing: number;
  readonly duplicates: number;
  /** Acknowledged messages that were not JSON (the rule drops them: AWS counts a ParseError). */
  readonly garbageAcked: number;
  /** Stored readings no acknowledged message carried (sent, stored, PUBACK lost with the connection). */
  readonly storedUnacked: number;
  readonly quarantineReasons: ReadonlyMap<string, number>;
  /** A few missing readings, for the report. */
  readonly missingExamples: readonly string[];
}

export interface AuditSources {
  readonly ledgerFile: string;
  readonly dynamoEndpoint: string;
  readonly readingsTable: string;
  readonly s3: FakeAwsServer;
  /** Quarantine prefixes that count for the hot tier: the storer's and the rules' error action. */
  readonly quarantinePrefixes: readonly string[];
  readonly sqs: FakeSqsServer;
  /** Dead-letter documents of this function count (the storer's). */
  readonly functionArn: string;
  readonly kinesis: KinesisClient;
  readonly streamName: string;
}

type Readings = Map<string, Map<number, number>>;

function add(map: Readings, sensor: string, ts: number): void {
  let times = map.get(sensor);
  if (!times) map.set(sensor, (times = new Map()));
  times.set(ts, (times.get(ts) ?? 0) + 1);
}

/** Readings of a record or payload text (data contract v1): sensor `<assetId>#<metric>` and ts. */
function readingsOf(text: string, into: Readings): boolean {
  try {
    const message = JSON.parse(text) as { assetId?: unknown; readings?: Array<{ metric?: unknown; ts?: unknown }> };
    if (typeof message.assetId !== 'string' || !Array.isArray(message.readings)) return false;
    for (const reading of message.readings) if (typeof reading.metric === 'string' && typeof reading.ts === 'number') add(into, `${message.assetId}#${reading.metric}`, reading.ts);
    return true;
  } catch {
    return false;
  }
}

async function readLedger(file: string, acked: Readings): Promise<{ readings: number; garbage: number }> {
  // A fleet that failed before it opened its ledger acknowledged nothing.
  if (!existsSync(file)) return { readings: 0, garbage: 0 };
  let readings = 0;
  let garbage = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const message = JSON.parse(line) as AckedMessage;
    if (message.kind === 'garbage') {
      garbage += 1;
      continue;
    }
    for (const ts of message.ts) {
      for (const metric of message.metrics) {
        // A message resent after a lost PUBACK is acknowledged twice: the reading is one reading.
        const sensor = `${message.assetId}#${metric}`;
        if (acked.get(sensor)?.has(ts)) continue;
        add(acked, sensor, ts);
        readings += 1;
      }
    }
  }
  return { readings, garbage };
}

async function readStored(endpoint: string, table: string): Promise<Readings> {
  const stored: Readings = new Map();
  const client = new DynamoDBClient({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS });
  try {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const raw of page.Items ?? []) {
        const item = decodeBucketItem(raw);
        for (const offset of item.ts) add(stored, `${item.assetId}#${item.metric}`, item.minute + offset);
      }
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    client.destroy();
  }
  return stored;
}

function readQuarantine(s3: FakeAwsServer, prefixes: readonly string[], reasons: Map<string, number>): Readings {
  const quarantined: Readings = new Map();
  for (const object of s3.objects.values()) {
    if (!prefixes.some((prefix) => object.key.startsWith(prefix))) continue;
    const body = JSON.parse(object.body) as { reason?: string; data?: string; base64OriginalPayload?: string; failures?: Array<{ errorMessage?: string }> };
    const data = body.data ?? body.base64OriginalPayload;
    if (data === undefined) continue;
    const reason = body.reason ?? `RULE_ERROR_ACTION: ${body.failures?.[0]?.errorMessage ?? ''}`.slice(0, 60);
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    readingsOf(Buffer.from(data, 'base64').toString('utf8'), quarantined);
  }
  return quarantined;
}

async function readDeadLettered(sources: AuditSources): Promise<Readings> {
  const deadLettered: Readings = new Map();
  for (const message of sources.sqs.messages) {
    const parsed = parseBatchFailure(message.body);
    if (!parsed.ok || parsed.failure.functionArn !== sources.functionArn) continue;
    const { shardId, startSequenceNumber, endSequenceNumber } = parsed.failure;
    const iterator = await sources.kinesis.send(
      new GetShardIteratorCommand({ StreamName: sources.streamName, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: startSequenceNumber }),
    );
    let next = iterator.ShardIterator;
    let done = false;
    while (next && !done) {
      const output = await sources.kinesis.send(new GetRecordsCommand({ ShardIterator: next, Limit: 10_000 }));
      for (const record of output.Records ?? []) {
        if (BigInt(record.SequenceNumber ?? '0') > BigInt(endSequenceNumber)) {
          done = true;
          break;
        }
        readingsOf(Buffer.from(record.Data ?? new Uint8Array()).toString('utf8'), deadLettered);
      }
      if ((output.Records ?? []).length === 0) break;
      next = output.NextShardIterator;
    }
  }
  return deadLettered;
}

/**
 * Accounts for every reading a device got a PUBACK for (the simulator's ledger): stored in the hot tier
 * exactly once, or quarantined with a reason (by the storer or the rule's error action), or in a range the
 * storer's mapping dead-lettered; anything else is missing. Readings stored more than once are duplicates.
 */
export async function auditHotTier(sources: AuditSources): Promise<HotTierAudit> {
  const acked: Readings = new Map();
  const { readings, garbage } = await readLedger(sources.ledgerFile, acked);
  const stored = await readStored(sources.dynamoEndpoint, sources.readingsTable);
  const reasons = new Map<string, number>();
  const quarantined = readQuarantine(sources.s3, sources.quarantinePrefixes, reasons);
  const deadLettered = await readDeadLettered(sources);
  let storedOnce = 0;
  let inQuarantine = 0;
  let inDeadLetters = 0;
  let missing = 0;
  let duplicates = 0;
  const missingExamples: string[] = [];
  for (const [sensor, times] of acked) {
    for (const ts of times.keys()) {
      const count = stored.get(sensor)?.get(ts) ?? 0;
      if (count > 1) duplicates += 1;
      if (count >= 1) storedOnce += 1;
      else if (quarantined.get(sensor)?.has(ts)) inQuarantine += 1;
      else if (deadLettered.get(sensor)?.has(ts)) inDeadLetters += 1;
      else {
        missing += 1;
        if (missingExamples.length < 5) missingExamples.push(`${sensor}@${ts}`);
      }
    }
  }
  let storedUnacked = 0;
  for (const [sensor, times] of stored) for (const ts of times.keys()) if (!acked.get(sensor)?.has(ts)) storedUnacked += 1;
  return {
    readingsAcked: readings,
    stored: storedOnce,
    quarantined: inQuarantine,
    deadLettered: inDeadLetters,
    missing,
    duplicates,
    garbageAcked: garbage,
    storedUnacked,
    quarantineReasons: reasons,
    missingExamples,
  };
}
