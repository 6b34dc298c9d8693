import fc from 'fast-check';
import type { QuarantineEntry } from '../../../functions/shared/QuarantineWriter';
import { recordOrigin } from '../../../functions/shared/parseKinesisRecord';
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
    expect(() => accountFor({ records, payloads, failedIdentifiers: ['101'], quarantined: [] })).toThrow('is not the suffix');
    expect(() => accountFor({ records, payloads, failedIdentifiers: ['102', '101'], quarantined: [] })).toThrow('is not the suffix');
    expect(() => accountFor({ records, payloads, failedIdentifiers: ['999'], quarantined: [] })).toThrow('not in the batch');
  });

  it('rejects a record quarantined twice, for the wrong reason, a valid record quarantined, an invalid one accepted', () => {
    expect(() => accountFor({ records, payloads, failedIdentifiers: [], quarantined: [entry(1), entry(1)] })).toThrow('quarantined twice');
    expect(() => accountFor({ records, payloads, failedIdentifiers: [], quarantined: [entry(1, 'OVERSIZED')] })).toThrow('expected INVALID_JSON');
    expect(() => accountFor({ records, payloads, failedIdentifiers: [], quarantined: [entry(1), entry(0)] })).toThrow('valid record 0 quarantined');
    expect(() => accountFor({ records, payloads, failedIdentifiers: [], quarantined: [] })).toThrow('neither quarantined nor reported');
    expect(() => readAccepted(Buffer.from('{"schemaVersion":2}').toString('base64'))).toThrow('not telemetry');
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
