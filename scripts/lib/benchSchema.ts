import { IDENTIFIER_PATTERN, LIMITS, QUALITIES, THING_NAME_PATTERN } from '../../functions/shared/constants';

const identifier = { type: 'string', pattern: IDENTIFIER_PATTERN.source } as const;

/**
 * Data contract v1 (enriched record) as a JSON Schema, used only by the benchmark to compare a
 * compiled ajv validator with the hand-written one the functions use. A schema cannot express the
 * timestamp window relative to now or the thingName = clientId rule; the functions check those
 * in code either way. Patterns and bounds are the contract's own (functions/shared/constants.ts).
 */
export const telemetrySchema = {
  type: 'object',
  required: ['schemaVersion', 'assetId', 'readings', 'plantId', 'lineId', 'thingName', 'clientId', 'receivedAt'],
  properties: {
    schemaVersion: { const: 1 },
    assetId: identifier,
    seq: { type: 'integer', minimum: 0 },
    plantId: identifier,
    lineId: identifier,
    thingName: { type: 'string', pattern: THING_NAME_PATTERN.source },
    clientId: { type: 'string' },
    receivedAt: { type: 'integer' },
    readings: {
      type: 'array',
      minItems: 1,
      maxItems: LIMITS.maxReadingsPerMessage,
      items: {
        type: 'object',
        required: ['metric', 'value', 'ts'],
        properties: {
          metric: identifier,
          value: { type: 'number', minimum: -LIMITS.maxAbsValue, maximum: LIMITS.maxAbsValue },
          unit: { type: 'string', pattern: '^[!-~]{1,32}$' },
          ts: { type: 'integer' },
          quality: { enum: QUALITIES },
        },
      },
    },
  },
} as const;
