/**
 * Data contract v1 (enriched record) as a JSON Schema, used only by the benchmark to compare a
 * compiled ajv validator with the hand-written one the functions use. A schema cannot express the
 * timestamp window relative to now or the thingName = clientId rule; the functions check those
 * in code either way.
 */
export const telemetrySchema = {
  type: 'object',
  required: ['schemaVersion', 'assetId', 'readings', 'plantId', 'lineId', 'thingName', 'clientId', 'receivedAt'],
  properties: {
    schemaVersion: { const: 1 },
    assetId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
    seq: { type: 'integer', minimum: 0 },
    plantId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
    lineId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
    thingName: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' },
    clientId: { type: 'string' },
    receivedAt: { type: 'integer' },
    readings: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      items: {
        type: 'object',
        required: ['metric', 'value', 'ts'],
        properties: {
          metric: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
          value: { type: 'number', minimum: -1e15, maximum: 1e15 },
          unit: { type: 'string', pattern: '^[!-~]{1,32}$' },
          ts: { type: 'integer' },
          quality: { enum: ['GOOD', 'UNCERTAIN', 'BAD'] },
        },
      },
    },
  },
} as const;
