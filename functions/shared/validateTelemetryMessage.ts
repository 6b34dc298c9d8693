import { checkTimestamp } from './checkTimestamp';
import { IDENTIFIER_PATTERN, LIMITS, QUARANTINE_REASONS, THING_NAME_PATTERN } from './constants';
import { describeValue } from './describeValue';
import { ValidationError } from './errors';
import type { Quality, Reading, TelemetryMessage } from './types';

/** UCUM codes are short printable ASCII without spaces. */
const UNIT_PATTERN = /^[!-~]{1,32}$/;

type JsonObject = Record<string, unknown>;

/**
 * Identifiers already seen to match their pattern. A plant has a bounded set of assets, metrics,
 * lines and things, so after warm-up the hot path is a set lookup instead of a regex per field
 * (the cache is dropped when it reaches its bound, which only costs the regex again).
 */
const knownIdentifiers = new Set<string>();
const knownThingNames = new Set<string>();
const MAX_KNOWN = 50_000;

function matches(value: unknown, pattern: RegExp, known: Set<string>): value is string {
  if (typeof value !== 'string') return false;
  if (known.has(value)) return true;
  if (!pattern.test(value)) return false;
  if (known.size >= MAX_KNOWN) known.clear();
  known.add(value);
  return true;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readQuality(value: unknown, where: string): Quality {
  if (value === undefined) return 'GOOD';
  if (value === 'GOOD' || value === 'UNCERTAIN' || value === 'BAD') return value;
  throw new ValidationError(QUARANTINE_REASONS.invalidQuality, `${where} must be GOOD, UNCERTAIN or BAD, got ${describeValue(value)}`);
}

function readValue(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(QUARANTINE_REASONS.invalidValue, `${where} must be a finite number, got ${describeValue(value)}`);
  }
  const magnitude = Math.abs(value);
  if (magnitude > LIMITS.maxAbsValue || (magnitude !== 0 && magnitude < LIMITS.minAbsNonZeroValue)) {
    throw new ValidationError(
      QUARANTINE_REASONS.valueOutOfRange,
      `${where} ${value} is outside the storable magnitudes [${LIMITS.minAbsNonZeroValue}, ${LIMITS.maxAbsValue}]`,
    );
  }
  return value;
}

/** Checks one reading in place and fills in the default quality; the parsed object becomes the Reading. */
function checkReading(raw: unknown, index: number, arrivedAtMs: number): Reading {
  if (!isObject(raw)) {
    throw new ValidationError(QUARANTINE_REASONS.invalidReading, `readings[${index}] must be an object, got ${describeValue(raw)}`);
  }
  if (!matches(raw.metric, IDENTIFIER_PATTERN, knownIdentifiers)) {
    throw new ValidationError(QUARANTINE_REASONS.invalidMetric, `readings[${index}].metric must match ${IDENTIFIER_PATTERN.source}, got ${describeValue(raw.metric)}`);
  }
  readValue(raw.value, `readings[${index}].value`);
  checkTimestamp(raw.ts, arrivedAtMs, `readings[${index}].ts`);
  const quality = raw.quality;
  if (quality === undefined) raw.quality = 'GOOD';
  else if (quality !== 'GOOD' && quality !== 'UNCERTAIN' && quality !== 'BAD') readQuality(quality, `readings[${index}].quality`);
  const unit = raw.unit;
  if (unit !== undefined && (typeof unit !== 'string' || !UNIT_PATTERN.test(unit))) {
    throw new ValidationError(QUARANTINE_REASONS.invalidUnit, `readings[${index}].unit must be a UCUM code (1-32 printable characters), got ${describeValue(unit)}`);
  }
  return raw as unknown as Reading;
}

function checkEnrichment(raw: JsonObject, field: 'plantId' | 'lineId', pattern: RegExp): void {
  const value = raw[field];
  if (!matches(value, pattern, knownIdentifiers)) {
    throw new ValidationError(QUARANTINE_REASONS.missingEnrichment, `${field} (added by the topic rule) must match ${pattern.source}, got ${describeValue(value)}`);
  }
}

/**
 * Validates an enriched telemetry record against data contract v1 and returns it normalised
 * (quality defaulted to GOOD; unknown fields are left on the object and ignored). Validation is in
 * place: pass a freshly parsed value. Throws ValidationError with a reason code.
 *
 * 'Unknown asset': the assetId must match the contract's identifier pattern, and the message must
 * come from the thing it names in its topic (thingName = clientId, which the IoT policy enforces
 * for any real device), so a record not written by a provisioned device's rule is rejected.
 */
export function validateTelemetryMessage(raw: unknown, arrivedAtMs: number): TelemetryMessage {
  if (!isObject(raw)) {
    throw new ValidationError(QUARANTINE_REASONS.notAnObject, `record must be a JSON object, got ${describeValue(raw)}`);
  }
  if (raw.schemaVersion !== 1) {
    throw new ValidationError(QUARANTINE_REASONS.unsupportedSchemaVersion, `schemaVersion must be 1, got ${describeValue(raw.schemaVersion)}`);
  }
  const assetId = raw.assetId;
  if (!matches(assetId, IDENTIFIER_PATTERN, knownIdentifiers)) {
    throw new ValidationError(QUARANTINE_REASONS.unknownAsset, `assetId must match ${IDENTIFIER_PATTERN.source}, got ${describeValue(assetId)}`);
  }
  checkEnrichment(raw, 'plantId', IDENTIFIER_PATTERN);
  checkEnrichment(raw, 'lineId', IDENTIFIER_PATTERN);
  const thingName = raw.thingName;
  if (!matches(thingName, THING_NAME_PATTERN, knownThingNames)) {
    throw new ValidationError(QUARANTINE_REASONS.missingEnrichment, `thingName (added by the topic rule) must match ${THING_NAME_PATTERN.source}, got ${describeValue(thingName)}`);
  }
  if (raw.clientId !== thingName) {
    throw new ValidationError(QUARANTINE_REASONS.thingMismatch, `clientId ${describeValue(raw.clientId)} is not the thing ${describeValue(thingName)} of the topic`);
  }
  const receivedAt = raw.receivedAt;
  if (typeof receivedAt !== 'number' || !Number.isSafeInteger(receivedAt)) {
    throw new ValidationError(QUARANTINE_REASONS.missingEnrichment, `receivedAt (added by the topic rule) must be an integer of epoch milliseconds, got ${describeValue(receivedAt)}`);
  }
  const seq = raw.seq;
  if (seq !== undefined && (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)) {
    throw new ValidationError(QUARANTINE_REASONS.invalidSeq, `seq must be a non-negative integer, got ${describeValue(seq)}`);
  }
  const rawReadings = raw.readings;
  if (!Array.isArray(rawReadings) || rawReadings.length === 0) {
    throw new ValidationError(QUARANTINE_REASONS.noReadings, `readings must be a non-empty array, got ${describeValue(rawReadings)}`);
  }
  if (rawReadings.length > LIMITS.maxReadingsPerMessage) {
    throw new ValidationError(
      QUARANTINE_REASONS.tooManyReadings,
      `readings has ${rawReadings.length} entries, more than ${LIMITS.maxReadingsPerMessage}`,
    );
  }
  for (let i = 0; i < rawReadings.length; i += 1) checkReading(rawReadings[i], i, arrivedAtMs);
  // Validated in place: the object was parsed for this call alone, and not copying it is half the
  // cost of validation. Unknown fields stay on it and are ignored downstream.
  return raw as unknown as TelemetryMessage;
}
