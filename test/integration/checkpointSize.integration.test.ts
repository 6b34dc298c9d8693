import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MAX_OUTBOX_BYTES } from '../../functions/processor/constants';
import { DetectorStateStore } from '../../functions/processor/DetectorStateStore';
import type { AnomalyAlert, DetectorCheckpoint, Notice } from '../../functions/processor/types';
import { CircuitBreaker } from '../../functions/shared/CircuitBreaker';
import { LIMITS, TABLE_KEYS } from '../../functions/shared/constants';
import { AssetDetector, MAX_MODEL_METRICS, type AssetDetectorState, type Sample } from '../../functions/shared/detector';
import { createTables, startDynalite, testDynamoClient, type Emulator } from '../helpers/emulators';
import { deadlineWith } from '../helpers/fakes';
import { seededGaussian, START_TS } from '../detector/syntheticSeries';

/**
 * The largest checkpoint item the processor can write, written to dynalite, which refuses items over
 * DynamoDB's 400 KB as the service does: the bounds of the processor (MAX_OUTBOX_BYTES), the status
 * item (LIMITS.maxListedMetricsPerAsset) and the detector (MAX_MODEL_METRICS) must add up to
 * an item that fits, or every checkpoint of the asset, and of the 24 others in its write chunk, fails.
 */
const TABLE = 'checkpoint-size';
/** The longest identifiers the data contract allows: 64 characters, 128 for a thing name. */
const longId = (prefix: string, index: number): string => `${prefix}${String(index).padStart(4, '0')}`.padEnd(64, 'x');
const ASSET = longId('asset', 0);
const THING = 't'.repeat(128);

let dynalite: Emulator;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  dynalite = await startDynalite();
  client = testDynamoClient(dynalite.endpoint);
  doc = DynamoDBDocumentClient.from(client);
  await createTables(client, { detectorState: TABLE });
});

afterAll(async () => {
  client.destroy();
  await dynalite.stop();
});

/**
 * The detector state at its largest: 64 metrics of 64-character names, values with every significant
 * digit, measured at each sample through the warm-up (its calibration holds the most numbers) and an
 * open episode after it (signature, levels and drift); the largest JSON wins.
 */
function largestDetectorState(): AssetDetectorState {
  const names = Array.from({ length: MAX_MODEL_METRICS }, (_, m) => longId('metric', m));
  const noise = seededGaussian(51);
  const detector = new AssetDetector();
  let largest = detector.toState();
  let largestBytes = 0;
  for (let t = 0; t < 700; t++) {
    const shift = t >= 550 ? 8 : 0;
    const values: Sample['values'] = Object.fromEntries(
      names.map((name, m) => [name, { value: (m + 1) * 1.2345678901234567e-6 * (1 + 0.1 * noise()) + (m < 10 ? shift * 1.2345678901234567e-7 : 0), quality: 'GOOD' as const }]),
    );
    detector.observe({ ts: START_TS + t * 1000, values });
    const state = detector.toState();
    const bytes = Buffer.byteLength(JSON.stringify(state));
    if (bytes > largestBytes) [largest, largestBytes] = [state, bytes];
  }
  expect(largest.metrics).toHaveLength(MAX_MODEL_METRICS);
  return largest;
}

/** An alert as large as the processor makes one: LIMITS.maxAlertValues values with long names and units that JSON escapes. */
function largestAlert(index: number): Notice {
  const alert: AnomalyAlert = {
    episodeId: longId(`episode${index}`, index),
    assetId: ASSET,
    plantId: longId('plant', 0),
    lineId: longId('line', 0),
    thingName: THING,
    startedAt: START_TS + 0.123,
    detectedAt: START_TS + 0.456,
    values: Object.fromEntries(
      Array.from({ length: LIMITS.maxAlertValues }, (_, m) => [longId('metric', m), { value: -1.2345678901234567e-7, quality: 'UNCERTAIN', unit: '"\\'.repeat(16) }]),
    ),
    valuesOmitted: 450,
    score: 1.2345678901234567e300,
    threshold: 3.2745605973723264,
    limitBreaches: Array.from({ length: 3 }, (_, m) => longId('metric', m)),
    contributors: Array.from({ length: 3 }, (_, m) => longId('metric', m + 3)),
  };
  return { alert };
}

/** As many of the largest alerts as the outbox keeps (it keeps the newest within MAX_OUTBOX_BYTES). */
function fullOutbox(bytes = MAX_OUTBOX_BYTES): Notice[] {
  const outbox: Notice[] = [];
  let used = 0;
  for (let index = 0; ; index++) {
    const notice = largestAlert(index);
    const size = Buffer.byteLength(JSON.stringify(notice));
    if (used + size > bytes) return outbox;
    outbox.push(notice);
    used += size;
  }
}

function largestCheckpoint(outbox: readonly Notice[]): DetectorCheckpoint {
  const listed = Array.from({ length: LIMITS.maxListedMetricsPerAsset }, (_, m) => longId('listed', m));
  return {
    assetId: ASSET,
    state: largestDetectorState(),
    lastTs: START_TS + 0.123,
    lastTsMetrics: listed,
    savedAt: START_TS + 0.456,
    status: { thingName: THING, value: 'ANOMALY', writtenAt: START_TS + 0.789, metrics: listed },
    outbox,
  };
}

function store(): DetectorStateStore {
  return new DetectorStateStore({
    doc,
    tableName: TABLE,
    breaker: new CircuitBreaker('dynamodb'),
    policy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, attemptTimeoutMs: 10_000 },
    sleep: async () => undefined,
  });
}

describe('the largest detector checkpoint', () => {
  it('fits in one DynamoDB item: the write succeeds and reads back whole', async () => {
    const checkpoint = largestCheckpoint(fullOutbox());
    expect(checkpoint.outbox?.length).toBeGreaterThan(1);
    expect(await store().save([checkpoint], deadlineWith())).toEqual({ failed: new Set() });
    const { Item } = await doc.send(new GetCommand({ TableName: TABLE, Key: { [TABLE_KEYS.detectorState.partitionKey]: ASSET } }));
    expect(Item?.statusMetrics).toHaveLength(LIMITS.maxListedMetricsPerAsset);
    expect(JSON.parse(String(Item?.outbox))).toHaveLength(checkpoint.outbox?.length ?? 0);
  });

  it('would not with four times the outbox: the emulator refuses an item over 400 KB, as DynamoDB does', async () => {
    const checkpoint = largestCheckpoint(fullOutbox(4 * MAX_OUTBOX_BYTES));
    const result = await store().save([checkpoint], deadlineWith());
    expect(result.failed).toEqual(new Set([ASSET]));
    expect(String(result.error)).toContain('Item size has exceeded the maximum allowed size');
  });
});
