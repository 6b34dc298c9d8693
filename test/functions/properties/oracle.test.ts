import fc from 'fast-check';
import type { QuarantineEntry } from '../../../functions/shared/QuarantineWriter';
import { recordOrigin } from '../../../functions/shared/recordOrigin';
import { accountFor, arbBatches, goodTelemetryPayload, readAccepted, toKinesisRecords, type Payload } from '../../helpers/arbitraries';
import { telemetry } from '../../helpers/records';

/** The property tests' checker must be able to fail: it rejects each way a handler could break the contract. */

const good = goodTelemetryPayload(telemetry());
const bad: Payload = { label: 'bad', data: Buffer.from('nope').toString('base64'), expect: { kind: 'invalid', reason: 'INVALID_JSON' } };
const payloads = [good, bad, good];
const records = toKinesisRecords(payloads, 'shardId-000000000000', 100n);
const entry = (index: number, reason: QuarantineEntry['reason'] = 'INVALID_JSON'): QuarantineEntry => {
  const record = records[index];
  if (record === undefined) throw new Error('no such record');
  return { origin: recordOrigin(record, index), reason, detail: 'x', data: record.kinesis.data };
};

describe('accountFor (the properties’ checker)', () => {
  it('accepts a correct invocation and a correct suffix', () => {
    expect(accountFor({ records, payloads, failedIdentifiers: [], quarantined: [entry(1)] }).accepted.map((a) => a.index)).toEqual([0, 2]);
    expect(accountFor({ records, payloads, failedIdentifiers: ['101', '102'], quarantined: [] }).firstFailed).toBe(1);
  });

  it('rejects failures that are not the suffix from the first failed record', () => {
    expect(() => accountFor({ records, payloads, failedIdentifiers: ['101'], quarantined: [] })).toThrow(
      new Error('batchItemFailures ["101"] is not the suffix from the first failed record ["101","102"]'),
    );
    expect(() => accountFor({ records, payloads, failedIdentifiers: ['102', '101'], quarantined: [] })).toThrow(
      new Error('batchItemFailures ["102","101"] is not the suffix from the first failed record ["102"]'),
    );
    expect(() => accountFor({ records, payloads, failedIdentifiers: ['999'], quarantined: [] })).toThrow(new Error('reported an identifier that is not in the batch: 999'));
  });

  it('rejects a record quarantined twice, for the wrong reason, a valid record quarantined, an invalid one accepted', () => {
    expect(() => accountFor({ records, payloads, failedIdentifiers: [], quarantined: [entry(1), entry(1)] })).toThrow(
      new Error(`record 1 quarantined twice in one invocation: ${fc.stringify(bad)}`),
    );
    expect(() => accountFor({ records, payloads, failedIdentifiers: [], quarantined: [entry(1, 'OVERSIZED')] })).toThrow(
      new Error(`record 1 quarantined as OVERSIZED (x), expected INVALID_JSON: ${fc.stringify(bad)}`),
    );
    expect(() => accountFor({ records, payloads, failedIdentifiers: [], quarantined: [entry(1), entry(0)] })).toThrow(
      new Error(`valid record 0 quarantined as INVALID_JSON (x): ${fc.stringify(good)}`),
    );
    expect(() => accountFor({ records, payloads, failedIdentifiers: [], quarantined: [] })).toThrow(
      new Error(`invalid record 1 was neither quarantined nor reported: ${fc.stringify(bad)}`),
    );
    expect(() => readAccepted(Buffer.from('{"schemaVersion":2}').toString('base64'))).toThrow(
      new Error('accepted a record that is not telemetry of contract v1: {"schemaVersion":2}'),
    );
  });

  it('generates batches whose sequence numbers are unique and increasing', () => {
    fc.assert(
      fc.property(arbBatches(), (batches) => {
        const sequences = batches.flatMap((b) => b.records.map((r) => BigInt(r.kinesis.sequenceNumber)));
        for (let i = 1; i < sequences.length; i += 1) expect((sequences[i] as bigint) > (sequences[i - 1] as bigint)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});
