import type { KinesisStreamRecord } from 'aws-lambda';
import { Random } from './Random';

/** Generated telemetry for the benchmark: gateways publishing one message per asset per second. */

export const METRICS = ['temperature', 'pressure', 'vibration', 'current', 'voltage', 'flow', 'rpm', 'humidity'] as const;
const MEANS = [70, 2.5, 0.8, 12, 380, 55, 1450, 40];
const SPREADS = [1.5, 0.05, 0.1, 0.4, 3, 1.2, 12, 1];

export interface Timeline {
  /** Epoch ms of the first second. */
  readonly start: number;
  readonly assets: number;
  readonly prefix: string;
  /** Every n-th record is invalid JSON (0: none), to include quarantine writes. */
  readonly invalidEvery: number;
  /** Share of asset-seconds with a temperature spike above the configured limit. */
  readonly spikeRate: number;
}

let sequence = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_802n;
/** Records generated so far, so `invalidEvery` spans batches. */
let generated = 0;

function record(data: string, partitionKey: string, arrivedAt: number): KinesisStreamRecord {
  sequence += 1n;
  const sequenceNumber = sequence.toString();
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber,
      data: Buffer.from(data).toString('base64'),
      approximateArrivalTimestamp: arrivedAt / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-bench',
    awsRegion: 'sa-east-1',
    eventSourceARN: 'arn:aws:kinesis:sa-east-1:123456789012:stream/kinesis-telemetry-bench',
  };
}

/** Records of seconds [fromSecond, toSecond) for every asset, in arrival order. */
export function generateRecords(timeline: Timeline, fromSecond: number, toSecond: number, random: Random): KinesisStreamRecord[] {
  const records: KinesisStreamRecord[] = [];
  for (let second = fromSecond; second < toSecond; second += 1) {
    const ts = timeline.start + second * 1000;
    for (let asset = 0; asset < timeline.assets; asset += 1) {
      const assetId = `${timeline.prefix}-${String(asset).padStart(3, '0')}`;
      const thingName = `gw-${timeline.prefix}-${Math.floor(asset / 10)}`;
      const receivedAt = ts + 40;
      generated += 1;
      if (timeline.invalidEvery > 0 && generated % timeline.invalidEvery === 0) {
        records.push(record(`{"schemaVersion":1,"assetId":"${assetId}","readings":[`, assetId, receivedAt + 10));
        continue;
      }
      const spike = random.next() < timeline.spikeRate;
      const readings = METRICS.map((metric, i) => ({
        metric,
        value: Math.round(((MEANS[i] ?? 0) + (SPREADS[i] ?? 1) * random.normal() + (spike && i === 0 ? 60 : 0)) * 1000) / 1000,
        unit: i === 0 ? 'Cel' : undefined,
        ts,
        quality: random.next() < 0.01 ? 'UNCERTAIN' : 'GOOD',
      }));
      const payload = {
        schemaVersion: 1,
        assetId,
        seq: second,
        readings,
        plantId: 'sp1',
        lineId: `line-${asset % 4}`,
        thingName,
        clientId: thingName,
        receivedAt,
      };
      records.push(record(JSON.stringify(payload), assetId, receivedAt + 10));
    }
  }
  return records;
}
