import fc from 'fast-check';
import type { KinesisStreamRecord } from 'aws-lambda';
import { LIMITS, QUARANTINE_REASONS } from '../../functions/shared/constants';
import { MAX_RECORD_BYTES } from '../../functions/shared/decodeRecordData';
import type { QuarantineReason } from '../../functions/shared/errors';
import type { QuarantineEntry } from '../../functions/shared/QuarantineWriter';
import { deviceReading, kinesisRecord, NOW, presence, telemetry, type DeviceReading, type EnrichedTelemetry } from './records';

/**
 * fast-check arbitraries of Kinesis batches for the stream functions' property tests: records of
 * the data contract v1 built with the typed factories of records.ts, records broken in one known
 * way (with the reason they must be quarantined for), fuzzed shapes, arbitrary JSON and arbitrary
 * bytes, presence events, redeliveries and device resends, and schedules of injected faults.
 *
 * Every payload carries what the test may expect of it, decided by construction (not by the code
 * under test): `telemetry`/`presence` are valid, `invalid` must be quarantined (with `reason` when
 * a single field was broken), `either` is a fuzzed shape that may or may not be valid.
 */

export type Expectation =
  | { readonly kind: 'telemetry' }
  | { readonly kind: 'presence' }
  | { readonly kind: 'invalid'; readonly reason?: QuarantineReason }
  | { readonly kind: 'either' };

export interface Payload {
  /** Short description printed in counterexamples (the data itself may be 170 KB). */
  readonly label: string;
  /** The record's `kinesis.data` exactly as delivered: base64, or for `raw` payloads any text. */
  readonly data: string;
  readonly expect: Expectation;
}

function payload(label: string, data: string, expect: Expectation): Payload {
  const preview = data.length > 60 ? `${data.slice(0, 57)}...(${data.length} chars)` : data;
  return { label, data, expect, [fc.toStringMethod]: () => `${label} <${expect.kind}${'reason' in expect && expect.reason ? `:${expect.reason}` : ''}> ${preview}` } as Payload;
}

const base64 = (text: string | Uint8Array): string => Buffer.from(text).toString('base64');

const DAY_MS = 86_400_000;
/** Oldest and newest accepted device timestamps of a record that arrived at NOW (inclusive). */
export const OLDEST_TS = NOW - LIMITS.maxTimestampAgeMs;
export const NEWEST_TS = NOW + LIMITS.maxTimestampAheadMs;

// ---------------------------------------------------------------------------------------------
// Identifiers: valid ones include the edges of the pattern and names that are properties of
// Object.prototype (a plain object used as a map by metric name mishandles them).
// ---------------------------------------------------------------------------------------------

export const ASSET_IDS = ['pump-07', 'press_2', 'line:3.valve', 'A'.repeat(64)] as const;
export const THING_NAMES = ['gw-01', 'gw-02', 'plc:7.a_b'] as const;
export const PLAIN_METRICS = ['temperature', 'pressure', 'vibration', 'flow.rate', 'm:1'] as const;
/** Valid metric names (they match the identifier pattern) that are also properties of every plain object. */
export const PROTOTYPE_METRICS = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'] as const;

export interface GoodTelemetryOptions {
  /** Include metric names such as `constructor` and `__proto__` (default true). */
  readonly prototypeMetrics?: boolean;
  readonly maxReadings?: number;
}

/** Accepted device timestamps: mostly within a few minutes of NOW (so buckets and instants repeat), sometimes the window's edges. */
export const arbAcceptedTs: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 240 }).map((s) => NOW - s * 1000) },
  { weight: 2, arbitrary: fc.integer({ min: NOW - 300_000, max: NOW + 60_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(OLDEST_TS, OLDEST_TS + 1, NEWEST_TS, NEWEST_TS - 1, NOW) },
);

/** Storable values: magnitude 0 or in [1e-30, 1e15]. */
export const arbAcceptedValue: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -200, max: 200 }) },
  { weight: 3, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((v) => (Math.abs(v) < 1e-30 ? 0 : v)) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1e15, -1e15, 1e-30, -1e-30, 999_999_999_999_999, 150) },
);

function arbMetric(options: GoodTelemetryOptions): fc.Arbitrary<string> {
  return options.prototypeMetrics === false
    ? fc.constantFrom(...PLAIN_METRICS)
    : fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...PLAIN_METRICS) }, { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_METRICS) });
}

function arbGoodReading(options: GoodTelemetryOptions, ts?: fc.Arbitrary<number>): fc.Arbitrary<DeviceReading> {
  return fc
    .record(
      {
        metric: arbMetric(options),
        value: arbAcceptedValue,
        ts: ts ?? arbAcceptedTs,
        quality: fc.constantFrom('GOOD', 'UNCERTAIN', 'BAD'),
        unit: fc.constantFrom('Cel', 'bar', 'mm/s', '!', '~'.repeat(32)),
      },
      { requiredKeys: ['metric', 'value', 'ts'] },
    )
    .map((r) => deviceReading(r));
}

/**
 * A valid enriched message from the typed factory. Usually all readings share one instant (the
 * gateway pattern), sometimes each has its own ts.
 */
export function arbGoodTelemetry(options: GoodTelemetryOptions = {}): fc.Arbitrary<EnrichedTelemetry> {
  const maxReadings = options.maxReadings ?? 5;
  const sameInstant = arbAcceptedTs.chain((ts) => fc.array(arbGoodReading(options, fc.constant(ts)), { minLength: 1, maxLength: maxReadings }));
  const spread = fc.array(arbGoodReading(options), { minLength: 1, maxLength: maxReadings });
  return fc
    .record({
      assetId: fc.constantFrom(...ASSET_IDS),
      thingName: fc.constantFrom(...THING_NAMES),
      seq: fc.option(fc.nat(), { nil: undefined }),
      readings: fc.oneof({ weight: 3, arbitrary: sameInstant }, { weight: 1, arbitrary: spread }),
      receivedAt: fc.integer({ min: NOW - DAY_MS, max: NOW }),
      dropQuality: fc.boolean(),
    })
    .map(({ assetId, thingName, seq, readings, receivedAt, dropQuality }) => {
      const message = telemetry({
        assetId,
        thingName,
        clientId: thingName,
        receivedAt,
        readings: dropQuality ? readings.map(({ quality: _quality, ...rest }) => rest) : readings,
      });
      if (seq === undefined) delete message.seq;
      else message.seq = seq;
      return message;
    });
}

export function goodTelemetryPayload(message: EnrichedTelemetry, label = 'good telemetry'): Payload {
  return payload(label, base64(JSON.stringify(message)), { kind: 'telemetry' });
}

export function arbGoodPayload(options: GoodTelemetryOptions = {}): fc.Arbitrary<Payload> {
  return arbGoodTelemetry(options).map((message) => goodTelemetryPayload(message));
}

/** A thing's MQTT sessions, each the client id's connection of that number. */
const PRESENCE_SESSIONS = ['session-a', 'session-b', 'session-c'] as const;
/**
 * The session of an event stamped at `timestamp`: connections follow one another, so a later event is of
 * the same connection or a newer one (AWS numbers them upwards), as in one thing's real timeline. Left
 * independent, the generator put an older connection's events after a newer one's, for which a replay of
 * the batches (timestamps decide, and a disconnect of another session is ignored only while that
 * session's connect is the item's last event) ends elsewhere than the first delivery.
 */
function sessionAt(timestamp: number): number {
  if (timestamp < NOW - 120_000) return 0;
  return timestamp < NOW ? 1 : 2;
}
/**
 * The thing whose events carry no sessionIdentifier (records from before sessions counted). AWS sends one
 * with every lifecycle event, so a thing's events never mix the two: mixed, a session-less connect makes
 * the item forget the session that had an older session's later disconnect ignored, and a replay applies it.
 */
const SESSIONLESS_THING = THING_NAMES[0];

export const arbPresencePayload: fc.Arbitrary<Payload> = fc
  .record({
    eventType: fc.constantFrom('connected', 'disconnected'),
    thingName: fc.constantFrom(...THING_NAMES),
    timestamp: arbAcceptedTs,
    omitThingName: fc.boolean(),
    superseded: fc.boolean(),
  })
  .map(({ eventType, thingName, timestamp, omitThingName, superseded }) => {
    const session = sessionAt(timestamp);
    const disconnectReason = eventType === 'disconnected' && superseded ? 'DUPLICATE_CLIENTID' : 'CONNECTION_LOST';
    const event: Partial<ReturnType<typeof presence>> = presence({ eventType, clientId: thingName, thingName, timestamp, disconnectReason, sessionIdentifier: PRESENCE_SESSIONS[session], versionNumber: session });
    if (omitThingName) delete event.thingName; // the validator takes the client id
    if (thingName === SESSIONLESS_THING) {
      delete event.sessionIdentifier;
      delete event.versionNumber;
    }
    return payload(`presence ${eventType}`, base64(JSON.stringify(event)), { kind: 'presence' });
  });

// ---------------------------------------------------------------------------------------------
// Records broken in one known way: a valid message with one field replaced (or removed).
// ---------------------------------------------------------------------------------------------

type Mutation = { readonly label: string; readonly reason: QuarantineReason; readonly apply: (m: Record<string, unknown>) => void };

const R = QUARANTINE_REASONS;
const MISSING = Symbol('missing');
type Replacement = unknown | typeof MISSING;

function setField(target: Record<string, unknown>, field: string, value: Replacement): void {
  if (value === MISSING) delete target[field];
  else target[field] = value;
}

function fieldMutation(field: string, reason: QuarantineReason, values: fc.Arbitrary<Replacement>): fc.Arbitrary<Mutation> {
  return values.map((value) => ({
    label: `${field}=${value === MISSING ? 'missing' : (JSON.stringify(value)?.slice(0, 40) ?? String(value))}`,
    reason,
    apply: (m) => setField(m, field, value),
  }));
}

/** Broken reading fields: the reading at a random position of otherwise valid readings. */
function readingMutation(field: keyof DeviceReading, reason: QuarantineReason, values: fc.Arbitrary<Replacement>): fc.Arbitrary<Mutation> {
  return fc.tuple(values, fc.nat()).map(([value, position]) => ({
    label: `readings[?].${field}=${value === MISSING ? 'missing' : (JSON.stringify(value)?.slice(0, 40) ?? String(value))}`,
    reason,
    apply: (m) => {
      const readings = m.readings as Array<Record<string, unknown>>;
      const target = readings[position % readings.length] as Record<string, unknown>;
      setField(target, field, value);
    },
  }));
}

const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
const badIdentifiers = fc.oneof(
  fc.constantFrom<Replacement>('', 'a b', 'a#b', 'a/b', 'ä', 'x'.repeat(65), 'x'.repeat(10_000), MISSING),
  notAString,
  fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^[A-Za-z0-9_.:-]{1,64}$/.test(s)),
);
const notAnInteger = fc.constantFrom<Replacement>(1.5, '1764417630000', null, true, [], {}, 'NaN', 'Infinity', 2 ** 53, -(2 ** 53), MISSING);
const nanLike = fc.constantFrom<Replacement>('NaN', 'Infinity', '-Infinity', 'nan', '1', '1e3', '', null, true, [], {}, [1], MISSING);

export const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fieldMutation('schemaVersion', R.unsupportedSchemaVersion, fc.constantFrom<Replacement>(0, 2, '1', 1.5, null, true, [1], { v: 1 }, -1, MISSING)),
  fieldMutation('assetId', R.unknownAsset, badIdentifiers),
  fieldMutation('plantId', R.missingEnrichment, badIdentifiers),
  fieldMutation('lineId', R.missingEnrichment, badIdentifiers),
  fieldMutation('thingName', R.missingEnrichment, fc.oneof(fc.constantFrom<Replacement>('', 'gw 01', 'x'.repeat(129), MISSING), notAString)),
  fieldMutation('clientId', R.thingMismatch, fc.oneof(fc.constantFrom<Replacement>('gw-99', 'GW-01', '', MISSING), notAString)),
  fieldMutation('receivedAt', R.missingEnrichment, notAnInteger),
  fieldMutation('seq', R.invalidSeq, fc.constantFrom<Replacement>(-1, 1.5, '1', null, true, [], 2 ** 53)),
  fieldMutation('readings', R.noReadings, fc.constantFrom<Replacement>([], {}, 'readings', null, 0, MISSING)),
  fc.integer({ min: LIMITS.maxReadingsPerMessage + 1, max: LIMITS.maxReadingsPerMessage + 40 }).map((count) => ({
    label: `${count} readings`,
    reason: R.tooManyReadings,
    apply: (m: Record<string, unknown>) => {
      m.readings = Array.from({ length: count }, (_, i) => deviceReading({ ts: NOW - i }));
    },
  })),
  fc.tuple(fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.constant([]), fc.constant(true)), fc.nat()).map(([value, position]) => ({
    label: `readings[?]=${JSON.stringify(value)}`,
    reason: R.invalidReading,
    apply: (m: Record<string, unknown>) => {
      const readings = m.readings as unknown[];
      readings[position % readings.length] = value;
    },
  })),
  readingMutation('metric', R.invalidMetric, badIdentifiers),
  readingMutation('value', R.invalidValue, nanLike),
  readingMutation('value', R.valueOutOfRange, fc.constantFrom<Replacement>(1e15 + 1, -1e16, 1e300, -Number.MAX_VALUE, 1e-31, -5e-324, Number.MIN_VALUE)),
  readingMutation('ts', R.invalidTimestamp, notAnInteger),
  readingMutation('ts', R.timestampOutOfRange, fc.constantFrom<Replacement>(OLDEST_TS - 1, NEWEST_TS + 1, 0, -1, NOW + DAY_MS, NOW - 30 * DAY_MS, 2 ** 53 - 1, -(2 ** 53 - 1))),
  readingMutation('quality', R.invalidQuality, fc.constantFrom<Replacement>('good', 'OK', '', null, 1, true, ['GOOD'])),
  readingMutation('unit', R.invalidUnit, fc.constantFrom<Replacement>('', 'deg C', 'x'.repeat(33), 'é', null, 1, [], {})),
);

/** A valid message with one field broken: must be quarantined with the mutation's reason. */
export function arbBrokenPayload(options: GoodTelemetryOptions = {}): fc.Arbitrary<Payload> {
  return fc.tuple(arbGoodTelemetry(options), arbMutation).map(([message, mutation]) => {
    const copy = JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
    mutation.apply(copy);
    return payload(`broken ${mutation.label}`, base64(JSON.stringify(copy)), { kind: 'invalid', reason: mutation.reason });
  });
}

/** Text-level breakage JSON.stringify cannot produce: bare NaN/Infinity tokens, overflowing literals, truncation, a BOM. */
export function arbBrokenTextPayload(options: GoodTelemetryOptions = {}): fc.Arbitrary<Payload> {
  const variants: Array<{ label: string; reason: QuarantineReason; edit: (json: string) => string }> = [
    { label: 'value NaN token', reason: R.invalidJson, edit: (j) => j.replace(/"value":[^,}]+/, '"value":NaN') },
    { label: 'value Infinity token', reason: R.invalidJson, edit: (j) => j.replace(/"value":[^,}]+/, '"value":Infinity') },
    { label: 'value 1e400 (parses to Infinity)', reason: R.invalidValue, edit: (j) => j.replace(/"value":[^,}]+/, '"value":1e400') },
    { label: 'ts 1e400 (parses to Infinity)', reason: R.invalidTimestamp, edit: (j) => j.replace(/"ts":[^,}]+/, '"ts":1e400') },
    { label: 'truncated', reason: R.invalidJson, edit: (j) => j.slice(0, Math.max(1, j.length - 2)) },
    { label: 'trailing comma', reason: R.invalidJson, edit: (j) => `${j.slice(0, -1)},}` },
    { label: 'BOM', reason: R.invalidJson, edit: (j) => `\uFEFF${j}` },
    { label: 'two documents', reason: R.invalidJson, edit: (j) => `${j}${j}` },
  ];
  return fc.tuple(arbGoodTelemetry(options), fc.constantFrom(...variants)).map(([message, variant]) =>
    payload(`text ${variant.label}`, base64(variant.edit(JSON.stringify(message))), { kind: 'invalid', reason: variant.reason }),
  );
}

/** Presence events broken in one field. */
export const arbBrokenPresencePayload: fc.Arbitrary<Payload> = fc
  .oneof(
    fc.constantFrom<[string, Replacement, QuarantineReason]>(
      ['eventType', 'subscribed', R.invalidPresence],
      ['eventType', MISSING, R.invalidPresence],
      ['eventType', 'CONNECTED', R.invalidPresence],
      ['clientId', '', R.invalidPresence],
      ['clientId', 'gw 01', R.invalidPresence],
      ['clientId', 7, R.invalidPresence],
      ['clientId', MISSING, R.invalidPresence],
      ['thingName', 'gw-99', R.thingMismatch],
      ['timestamp', '2025-11-29T12:00:00Z', R.invalidTimestamp],
      ['timestamp', 1.5, R.invalidTimestamp],
      ['timestamp', MISSING, R.invalidTimestamp],
      ['timestamp', OLDEST_TS - 1, R.timestampOutOfRange],
      ['timestamp', NEWEST_TS + 1, R.timestampOutOfRange],
    ),
  )
  .map(([field, value, reason]) => {
    const event = presence() as unknown as Record<string, unknown>;
    setField(event, field, value);
    return payload(`presence ${field}=${value === MISSING ? 'missing' : JSON.stringify(value)}`, base64(JSON.stringify(event)), { kind: 'invalid', reason });
  });

// ---------------------------------------------------------------------------------------------
// Fuzzed shapes, arbitrary JSON, arbitrary bytes, sizes.
// ---------------------------------------------------------------------------------------------

/** A contract-like object whose fields are each kept, removed or replaced by arbitrary JSON: valid or not. */
export function arbFuzzedPayload(options: GoodTelemetryOptions = {}): fc.Arbitrary<Payload> {
  const fieldFate = fc.oneof(
    { weight: 4, arbitrary: fc.constant<'keep' | 'drop'>('keep') },
    { weight: 1, arbitrary: fc.constant<'keep' | 'drop'>('drop') },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => ({ value })) },
  );
  const fields = ['schemaVersion', 'assetId', 'seq', 'plantId', 'lineId', 'thingName', 'clientId', 'receivedAt', 'readings', 'recordType'] as const;
  const readingFate = fc.array(fc.tuple(fc.constantFrom('metric', 'value', 'ts', 'quality', 'unit'), fieldFate), { maxLength: 3 });
  return fc
    .tuple(arbGoodTelemetry(options), fc.array(fc.tuple(fc.constantFrom(...fields), fieldFate), { maxLength: 4 }), readingFate, fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }))
    .map(([message, fates, readingFates, extra]) => {
      const copy = { ...extra, ...(JSON.parse(JSON.stringify(message)) as Record<string, unknown>) };
      for (const [field, fate] of fates) if (fate !== 'keep') setField(copy, field, fate === 'drop' ? MISSING : fate.value);
      const readings = copy.readings;
      if (Array.isArray(readings) && readings.length > 0 && typeof readings[0] === 'object' && readings[0] !== null && !Array.isArray(readings[0])) {
        for (const [field, fate] of readingFates) if (fate !== 'keep') setField(readings[0] as Record<string, unknown>, field, fate === 'drop' ? MISSING : fate.value);
      }
      return payload('fuzzed contract shape', base64(JSON.stringify(copy)), { kind: 'either' });
    });
}

/** Any JSON document: never a valid record (fc.jsonValue cannot assemble the contract's fields). */
export const arbJsonPayload: fc.Arbitrary<Payload> = fc.jsonValue({ maxDepth: 3 }).map((value) => {
  const notObject = typeof value !== 'object' || value === null || Array.isArray(value);
  return payload('arbitrary JSON', base64(JSON.stringify(value)), notObject ? { kind: 'invalid', reason: R.notAnObject } : { kind: 'invalid' });
});

/** Arbitrary bytes, base64-encoded as Kinesis delivers them. */
export const arbBytesPayload: fc.Arbitrary<Payload> = fc
  .uint8Array({ maxLength: 300 })
  .map((bytes) => payload('arbitrary bytes', Buffer.from(bytes).toString('base64'), { kind: 'invalid' }));

/** A `data` field that is not base64 at all (a broken producer or a hand-made event). */
export const arbRawDataPayload: fc.Arbitrary<Payload> = fc
  .string({ maxLength: 80 })
  .map((text) => payload('raw non-base64 data', text, { kind: 'invalid' }));

/** A valid message padded with an ignored field to exactly `bytes` bytes of JSON. */
function paddedTo(message: EnrichedTelemetry, bytes: number): string {
  const withPad = { ...message, pad: '' };
  const length = Buffer.byteLength(JSON.stringify(withPad));
  return JSON.stringify({ ...withPad, pad: 'x'.repeat(Math.max(0, bytes - length)) });
}

/** Records at the size limit: exactly the largest accepted size (valid), and larger (OVERSIZED). */
export function arbSizedPayload(options: GoodTelemetryOptions = {}): fc.Arbitrary<Payload> {
  return fc.tuple(arbGoodTelemetry(options), fc.constantFrom(0, 1, 2, 3, 1000, 50_000)).map(([message, over]) => {
    const json = paddedTo(message, MAX_RECORD_BYTES + over);
    return over === 0
      ? payload(`exactly ${MAX_RECORD_BYTES} bytes`, base64(json), { kind: 'telemetry' })
      : payload(`${over} byte(s) over the limit`, base64(json), { kind: 'invalid', reason: R.oversized });
  });
}

/** A valid message with the most readings the contract allows (500), each at its own instant. */
export function arbMaxReadingsPayload(options: GoodTelemetryOptions = {}): fc.Arbitrary<Payload> {
  return fc.tuple(arbGoodTelemetry(options), fc.integer({ min: 1, max: 400 })).map(([message, stepMs]) => {
    const readings = Array.from({ length: LIMITS.maxReadingsPerMessage }, (_, i) => deviceReading({ metric: PLAIN_METRICS[i % 2], value: i % 7, ts: NOW - 1_000 - i * stepMs }));
    return goodTelemetryPayload({ ...message, readings }, `${LIMITS.maxReadingsPerMessage} readings`);
  });
}

/** Any bad record (the kinds the brief lists), weighted toward the ones that reach deep into validation. */
export function arbBadPayload(options: GoodTelemetryOptions = {}): fc.Arbitrary<Payload> {
  return fc.oneof(
    { weight: 6, arbitrary: arbBrokenPayload(options) },
    { weight: 2, arbitrary: arbBrokenTextPayload(options) },
    { weight: 2, arbitrary: arbBrokenPresencePayload },
    { weight: 3, arbitrary: arbFuzzedPayload(options) },
    { weight: 2, arbitrary: arbJsonPayload },
    { weight: 2, arbitrary: arbBytesPayload },
    { weight: 1, arbitrary: arbRawDataPayload },
    { weight: 1, arbitrary: arbSizedPayload(options) },
  );
}

// ---------------------------------------------------------------------------------------------
// Batches.
// ---------------------------------------------------------------------------------------------

export interface GeneratedBatch {
  readonly shardId: string;
  readonly records: readonly KinesisStreamRecord[];
  readonly payloads: readonly Payload[];
}

export interface BatchOptions extends GoodTelemetryOptions {
  readonly maxRecords?: number;
  /** Weight of good telemetry among the records (default 3, against 3 for bad records, 1 for presence events and 0.1 for 132 KB / 500-reading valid ones). */
  readonly goodWeight?: number;
}

/**
 * Payloads in random order, good and bad mixed, with some repeated later in the batch (a device
 * resend, or a producer retry: the same bytes as a new Kinesis record).
 */
export function arbPayloads(options: BatchOptions = {}): fc.Arbitrary<Payload[]> {
  // Weights in tenths: the large valid records (132 KB, 500 readings) are rare, they cost the most.
  const one = fc.oneof(
    { weight: (options.goodWeight ?? 3) * 10, arbitrary: arbGoodPayload(options) },
    { weight: 1, arbitrary: fc.oneof(arbMaxReadingsPayload(options), arbSizedPayload(options).filter((p) => p.expect.kind === 'telemetry')) },
    { weight: 30, arbitrary: arbBadPayload(options) },
    { weight: 10, arbitrary: arbPresencePayload },
  );
  return fc
    .tuple(fc.array(one, { minLength: 1, maxLength: options.maxRecords ?? 20 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }))
    .map(([payloads, repeats]) => {
      const result = [...payloads];
      for (const [from, to] of repeats) {
        const source = result[from % result.length] as Payload;
        result.splice(to % (result.length + 1), 0, source);
      }
      return result;
    });
}

const SHARDS = ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002'] as const;

/** Kinesis records of one shard, sequence numbers increasing from `firstSequence`. */
export function toKinesisRecords(payloads: readonly Payload[], shardId: string, firstSequence: bigint): KinesisStreamRecord[] {
  return payloads.map((p, i) => {
    const record = kinesisRecord(Buffer.alloc(0), {
      sequenceNumber: (firstSequence + BigInt(i)).toString(),
      shardId,
      partitionKey: 'pk',
      // Timestamps are judged against the arrival: every generated record arrived at NOW.
      arrivedAt: NOW,
    });
    return { ...record, kinesis: { ...record.kinesis, data: p.data } };
  });
}

/**
 * One to `maxBatches` batches the same container handles in turn, each from one shard (a shard's
 * records arrive in one batch; a container serves several shards over time).
 */
export function arbBatches(options: BatchOptions & { maxBatches?: number; oneShard?: boolean } = {}): fc.Arbitrary<GeneratedBatch[]> {
  // One shard: an asset's records stay on it, as a partition key's do between reshardings.
  const shard = options.oneShard === true ? fc.constant(SHARDS[0]) : fc.constantFrom(...SHARDS);
  return fc.array(fc.tuple(arbPayloads(options), shard), { minLength: 1, maxLength: options.maxBatches ?? 3 }).map((batches) => {
    let sequence = 49_000_000_000n;
    return batches.map(([payloads, shardId]) => {
      const records = toKinesisRecords(payloads, shardId, sequence);
      sequence += BigInt(payloads.length) + 1_000n;
      const batch: GeneratedBatch = { shardId, records, payloads };
      // Counterexamples print the payloads (label, expectation, data preview), not the full events.
      return Object.assign(batch, { [fc.toStringMethod]: () => `${shardId} from ${records[0]?.kinesis.sequenceNumber}: ${fc.stringify(payloads)}` });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Faults.
// ---------------------------------------------------------------------------------------------

/** What an injected call does: succeed, fail before doing anything, or do its work and then fail (a timeout after the write). */
export type Fault = 'ok' | 'fail' | 'failAfter';

/** Per port, the fate of its n-th call; calls beyond the schedule succeed. */
export function arbFaultSchedule(length = 30): fc.Arbitrary<Fault[]> {
  return fc.array(
    fc.oneof({ weight: 6, arbitrary: fc.constant<Fault>('ok') }, { weight: 2, arbitrary: fc.constant<Fault>('fail') }, { weight: 1, arbitrary: fc.constant<Fault>('failAfter') }),
    { maxLength: length },
  );
}

/** Consumes a schedule call by call. */
export class FaultCursor {
  #next = 0;
  enabled = true;

  constructor(readonly schedule: readonly Fault[]) {}

  next(): Fault {
    const fault = this.schedule[this.#next] ?? 'ok';
    this.#next += 1;
    return this.enabled ? fault : 'ok';
  }
}

// ---------------------------------------------------------------------------------------------
// The test's own reading of an accepted record (independent of the code under test).
// ---------------------------------------------------------------------------------------------

export interface AcceptedReading {
  readonly metric: string;
  readonly value: number;
  readonly ts: number;
  readonly quality: string;
}

export type Accepted =
  | {
      readonly kind: 'presence';
      readonly eventType: string;
      readonly thingName: string;
      readonly timestamp: number;
      readonly sessionIdentifier?: string;
      readonly versionNumber?: number;
      readonly disconnectReason?: string;
    }
  | { readonly kind: 'telemetry'; readonly assetId: string; readonly readings: readonly AcceptedReading[] };

/**
 * What a record that a handler neither quarantined nor reported must be: a presence event or a
 * telemetry message of the contract's shape. Throws when it is neither (a record accepted that
 * should not have been).
 */
export function readAccepted(data: string): Accepted {
  const value = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`accepted a record that is not an object: ${data.slice(0, 80)}`);
  const object = value as Record<string, unknown>;
  if (object.recordType === 'presence') {
    const { eventType, clientId, timestamp, sessionIdentifier, versionNumber, disconnectReason } = object;
    if (typeof eventType !== 'string' || typeof clientId !== 'string' || typeof timestamp !== 'number') throw new Error(`accepted a malformed presence event: ${JSON.stringify(object).slice(0, 200)}`);
    return {
      kind: 'presence',
      eventType,
      thingName: clientId,
      timestamp,
      // What the validator keeps of the optional fields StatusStore's conditions read.
      ...(typeof sessionIdentifier === 'string' && sessionIdentifier !== '' ? { sessionIdentifier } : {}),
      ...(Number.isSafeInteger(versionNumber) ? { versionNumber: versionNumber as number } : {}),
      ...(typeof disconnectReason === 'string' && disconnectReason !== '' ? { disconnectReason } : {}),
    };
  }
  const { assetId, readings } = object;
  if (object.schemaVersion !== 1 || typeof assetId !== 'string' || !Array.isArray(readings) || readings.length === 0) {
    throw new Error(`accepted a record that is not telemetry of contract v1: ${JSON.stringify(object).slice(0, 200)}`);
  }
  return {
    kind: 'telemetry',
    assetId,
    readings: readings.map((raw: unknown) => {
      const r = raw as Record<string, unknown>;
      if (typeof r.metric !== 'string' || typeof r.value !== 'number' || !Number.isFinite(r.value) || !Number.isSafeInteger(r.ts)) {
        throw new Error(`accepted a malformed reading: ${JSON.stringify(r).slice(0, 200)}`);
      }
      return { metric: r.metric, value: r.value, ts: r.ts as number, quality: typeof r.quality === 'string' ? r.quality : 'GOOD' };
    }),
  };
}

/** Distinct (metric, ts) pairs of a message: the readings the processor judges or skips. */
export function distinctInstants(readings: readonly AcceptedReading[]): number {
  return new Set(readings.map((r) => `${r.ts}|${r.metric}`)).size;
}

/** One invocation as the test saw it: what it was given and what it wrote and answered. */
export interface InvocationView {
  readonly records: readonly KinesisStreamRecord[];
  readonly payloads: readonly Payload[];
  readonly failedIdentifiers: readonly string[];
  /** Quarantine entries written during the invocation. */
  readonly quarantined: readonly QuarantineEntry[];
}

export interface InvocationAccount {
  /** Index of the first reported record (records.length when none). */
  readonly firstFailed: number;
  /** Whole-record quarantine entry per record index. */
  readonly quarantined: ReadonlyMap<number, QuarantineEntry>;
  /** Records before firstFailed that were accepted, with the test's reading of them. */
  readonly accepted: ReadonlyArray<{ readonly index: number; readonly record: Accepted }>;
}

const KNOWN_REASONS = new Set<string>(Object.values(QUARANTINE_REASONS));

function describePayload(payloads: readonly Payload[], index: number): string {
  return fc.stringify(payloads[index]);
}

/**
 * Checks the per-record contract of one invocation and returns its account:
 * - the reported records are exactly a suffix, in shard order, from the first failed record;
 * - no record is quarantined twice, every quarantine entry names its record, keeps its bytes and
 *   has a known reason and a detail;
 * - a record built valid is never quarantined, a record built invalid never accepted (and gets the
 *   reason it was broken for);
 * - every record before the first failed one is quarantined or accepted, exactly one of the two.
 */
export function accountFor(view: InvocationView): InvocationAccount {
  const { records, payloads, failedIdentifiers, quarantined } = view;
  const sequences = records.map((r) => r.kinesis.sequenceNumber);
  const firstFailed = failedIdentifiers.length === 0 ? records.length : sequences.indexOf(failedIdentifiers[0] as string);
  if (firstFailed < 0) throw new Error(`reported an identifier that is not in the batch: ${failedIdentifiers[0]}`);
  const suffix = sequences.slice(firstFailed);
  if (JSON.stringify(suffix) !== JSON.stringify(failedIdentifiers)) {
    throw new Error(`batchItemFailures ${JSON.stringify(failedIdentifiers)} is not the suffix from the first failed record ${JSON.stringify(suffix)}`);
  }

  const byIndex = new Map<number, QuarantineEntry>();
  const parts = new Set<string>();
  for (const entry of quarantined) {
    const index = entry.origin.index;
    const record = records[index];
    if (record === undefined) throw new Error(`quarantine entry for index ${index} outside the batch`);
    if (entry.origin.sequenceNumber !== record.kinesis.sequenceNumber) throw new Error(`quarantine entry of index ${index} names sequence ${entry.origin.sequenceNumber}, not ${record.kinesis.sequenceNumber}`);
    if (!KNOWN_REASONS.has(entry.reason) || entry.detail.length === 0) throw new Error(`quarantine entry of index ${index} has reason ${JSON.stringify(entry.reason)} / detail ${JSON.stringify(entry.detail)}`);
    if (entry.part !== undefined) {
      const key = `${index}|${entry.part}`;
      if (parts.has(key)) throw new Error(`part ${entry.part} of record ${index} quarantined twice in one invocation`);
      parts.add(key);
      continue;
    }
    if (byIndex.has(index)) throw new Error(`record ${index} quarantined twice in one invocation: ${describePayload(payloads, index)}`);
    if (entry.data !== record.kinesis.data) throw new Error(`quarantine entry of record ${index} does not keep its data`);
    byIndex.set(index, entry);
  }

  for (const [index, entry] of byIndex) {
    const expect = payloads[index]?.expect;
    if (expect?.kind === 'telemetry' || expect?.kind === 'presence') {
      throw new Error(`valid record ${index} quarantined as ${entry.reason} (${entry.detail}): ${describePayload(payloads, index)}`);
    }
    if (expect?.kind === 'invalid' && expect.reason !== undefined && expect.reason !== entry.reason) {
      throw new Error(`record ${index} quarantined as ${entry.reason} (${entry.detail}), expected ${expect.reason}: ${describePayload(payloads, index)}`);
    }
  }

  const accepted: Array<{ index: number; record: Accepted }> = [];
  for (let index = 0; index < firstFailed; index += 1) {
    if (byIndex.has(index)) continue;
    const p = payloads[index] as Payload;
    if (p.expect.kind === 'invalid') throw new Error(`invalid record ${index} was neither quarantined nor reported: ${describePayload(payloads, index)}`);
    const record = readAccepted(p.data);
    if ((p.expect.kind === 'telemetry' || p.expect.kind === 'presence') && record.kind !== p.expect.kind) {
      throw new Error(`record ${index} built as ${p.expect.kind} read as ${record.kind}`);
    }
    accepted.push({ index, record });
  }
  return { firstFailed, quarantined: byIndex, accepted };
}
