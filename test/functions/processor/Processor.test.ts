import { LIMITS, METRIC_NAMES } from '../../../functions/shared/constants';
import { PermanentDependencyError, TransientDependencyError } from '../../../functions/shared/errors';
import { HANDOFF_EXACT_WINDOW_MS, MAX_OUTBOX_BYTES } from '../../../functions/processor/constants';
import { Processor } from '../../../functions/processor/Processor';
import { quantileSample } from '../../../functions/processor/quantileSample';
import { decodeCheckpoint } from '../../../functions/processor/decodeCheckpoint';
import { AssetDetector } from '../../../functions/shared/detector';
import { capturingMetrics, MemoryQuarantine, silentLogger } from '../../helpers/fakes';
import { assetSecond, kinesisEvent, kinesisRecords, lambdaContext, NOW, presence, telemetry } from '../../helpers/records';
import { MemoryAlerts, MemoryStates, MemoryStatus } from './fakePorts';

const START = NOW - 120_000;
const settings = { warmupSamples: 10, cooldownSeconds: 60, limits: { temperature: { max: 100 } } };

/** Seconds of one asset: normal temperatures, then `hot` seconds above the limit. */
function seconds(assetId: string, from: number, normal: number, hot = 0): object[] {
  return Array.from({ length: normal + hot }, (_, i) =>
    assetSecond(assetId, START + (from + i) * 1_000, { temperature: i < normal ? 70 + (i % 3) : 150, pressure: 2 + (i % 2) / 10 }),
  );
}

describe('Processor', () => {
  let states: MemoryStates;
  let status: MemoryStatus;
  let alerts: MemoryAlerts;
  let quarantine: MemoryQuarantine;
  let captured: ReturnType<typeof capturingMetrics>;
  let now: number;
  let sequence: bigint;

  /** A processor (a new container) with operators' requests per asset, as the config gives them. */
  function processor(requests: { acknowledgements?: ReadonlyMap<string, number>; relearnRequests?: ReadonlyMap<string, number> } = {}): Processor {
    return new Processor({
      settings,
      ...requests,
      states,
      status,
      alerts,
      quarantine,
      metrics: captured.metrics,
      logger: silentLogger(),
      statusHeartbeatSeconds: 60,
      breakers: [],
      now: () => now,
    });
  }

  async function run(p: Processor, payloads: readonly unknown[], remaining = 60_000) {
    const records = kinesisRecords(payloads, sequence);
    sequence += BigInt(payloads.length);
    return { records, outcome: await p.handle(kinesisEvent(records), lambdaContext(remaining)) };
  }

  /** Container a judged the warm-up, then container b judged the shard and opened (and alerted) an episode: a, to judge next. */
  async function episodeOpenedByAnotherContainer(): Promise<Processor> {
    const a = processor();
    const b = processor();
    await run(a, seconds('a', 0, 12));
    now += 1_000;
    await run(b, seconds('a', 12, 0, 2));
    expect(alerts.published).toHaveLength(1);
    now += 1_000;
    return a;
  }

  beforeEach(() => {
    states = new MemoryStates();
    status = new MemoryStatus();
    alerts = new MemoryAlerts();
    quarantine = new MemoryQuarantine();
    captured = capturingMetrics();
    now = NOW;
    sequence = 1_000n;
  });

  it('adds an asset\'s metrics to its status item on the first write, and a metric it sees later at once, not again', async () => {
    const p = processor();
    await run(p, seconds('m', 0, 3));
    expect(status.writes.map((write) => write.metrics)).toEqual([['pressure', 'temperature']]);
    now += 1_000;
    await run(p, seconds('m', 3, 3));
    expect(status.writes).toHaveLength(1);
    now += 1_000;
    await run(p, [assetSecond('m', START + 10_000, { temperature: 71, vibration: 0.2 })]);
    expect(status.writes.map((write) => write.metrics)).toEqual([['pressure', 'temperature'], ['vibration']]);
  });

  describe('an asset whose device makes metric names up', () => {
    const LIMIT = LIMITS.maxListedMetricsPerAsset;
    /** One second of `count` metrics named m0000, m0001, … from `first` on (padded, so they sort as numbers). */
    const namesSecond = (first: number, count: number, second: number): object =>
      assetSecond('many', START + second * 1_000, Object.fromEntries(Array.from({ length: count }, (_, i) => [`m${String(first + i).padStart(5, '0')}`, i % 7])));

    it('lists the first LIMITS.maxListedMetricsPerAsset of them and marks the item incomplete once; the rest are judged, counted, and fail nothing', async () => {
      const p = processor();
      const { outcome } = await run(p, [namesSecond(0, 500, 0), namesSecond(500, 500, 1), namesSecond(1_000, 500, 2)]);
      expect(outcome.response.batchItemFailures).toEqual([]);
      expect(outcome.judged).toBe(1_500);
      expect(status.writes).toHaveLength(1);
      expect(status.writes[0]?.metrics).toHaveLength(LIMIT);
      expect(status.writes[0]?.metrics?.[LIMIT - 1]).toBe(`m${String(LIMIT - 1).padStart(5, '0')}`);
      expect(status.writes[0]?.metricsIncomplete).toBe(true);
      expect(captured.total(METRIC_NAMES.metricsUnlisted)).toBe(1_500 - LIMIT);

      // More names later: counted, but no status write of their own in this container (the heartbeat is 60 s).
      now += 1_000;
      const later = await run(p, [namesSecond(1_500, 500, 3)]);
      expect(later.outcome.response.batchItemFailures).toEqual([]);
      expect(status.writes).toHaveLength(1);
      expect(captured.total(METRIC_NAMES.metricsUnlisted)).toBe(1_000);

      // A new container knows the listed names from the checkpoint, and notes the item incomplete once itself.
      now += 1_000;
      const restored = processor();
      await run(restored, [namesSecond(2_000, 10, 4)]);
      await run(restored, [namesSecond(2_010, 10, 5)]);
      expect(status.writes.map((write) => [write.metrics?.length ?? 0, write.metricsIncomplete])).toEqual([[LIMIT, true], [0, true]]);
    });

    it('still lists a name that fits: the limit counts what the item lists, not the names seen', async () => {
      const p = processor();
      await run(p, [namesSecond(0, 500, 0), namesSecond(500, LIMIT - 501, 1)]);
      now += 1_000;
      await run(p, [namesSecond(LIMIT - 1, 3, 2)]);
      expect(status.writes.map((write) => [write.metrics?.length, write.metricsIncomplete])).toEqual([[LIMIT - 1, undefined], [1, true]]);
    });
  });

  it('judges and stores the asset of a thing whose item lists the most assets it can, counts it once, and does not retry the link every batch', async () => {
    status.fullThings.add('gw-01');
    const p = processor();
    const { outcome } = await run(p, seconds('late', 0, 3));
    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(status.writes.map((write) => write.assetId)).toEqual(['late']);
    expect(captured.total(METRIC_NAMES.thingAssetsUnlisted)).toBe(1);
    now += 1_000;
    await run(p, seconds('late', 3, 3));
    expect(status.calls.filter((call) => call === 'link:late')).toHaveLength(1);
    expect(captured.total(METRIC_NAMES.thingAssetsUnlisted)).toBe(1);
  });

  describe('a lease claim whose outcome was unknown', () => {
    /** Runs payloads as the records from `first` on (a retry delivers the same sequence numbers again). */
    async function runAt(p: Processor, payloads: readonly unknown[], first: bigint) {
      return p.handle(kinesisEvent(kinesisRecords(payloads, first)), lambdaContext(60_000));
    }

    it('is not taken as ours on the retry: the assets, rolled back to an earlier batch, are restored, and the open episode is not alerted again', async () => {
      const p = processor();
      await run(p, seconds('a', 0, 12));
      now += 1_000;
      await run(p, seconds('a', 12, 0, 2));
      expect(alerts.published.map((alert) => alert.episodeId)).toEqual([`a:${START + 12_000}`]);
      now += 1_000;
      // The claim's write lands, then its call fails (the response lost, the retries throttled).
      const claim = states.claimShard.bind(states);
      jest.spyOn(states, 'claimShard').mockImplementationOnce(async (request) => {
        await claim(request);
        throw new TransientDependencyError('dynamodb', 'the response was lost after the write landed');
      });
      const retried = sequence;
      const failed = await run(p, seconds('a', 14, 0, 2));
      expect(failed.outcome.response.batchItemFailures).toHaveLength(2);
      now += 1_000;
      const retry = await runAt(p, seconds('a', 14, 0, 2), retried);
      expect(retry.response.batchItemFailures).toEqual([]);
      expect(alerts.published.map((alert) => alert.episodeId)).toEqual([`a:${START + 12_000}`]);
    });

    it('is not taken as ours when a retried write finds it: another container may have judged the shard before the first attempt landed', async () => {
      const a = await episodeOpenedByAnotherContainer();
      // Attempt 1 replaces b's lease and its response is lost; attempt 2 reads back a's own claim.
      const claim = states.claimShard.bind(states);
      jest.spyOn(states, 'claimShard').mockImplementationOnce(async (request) => {
        await claim(request);
        return claim(request);
      });
      const { outcome } = await run(a, seconds('a', 14, 0, 1));
      expect(outcome.response.batchItemFailures).toEqual([]);
      expect(alerts.published.map((alert) => alert.episodeId)).toEqual([`a:${START + 12_000}`]);
    });
  });

  it('bounds the outbox while SNS fails for hours: the oldest notices are dropped and counted, the checkpoint stays writable, and the rest publish once SNS is back', async () => {
    // Wide samples make large notices (50 values of 64-character names): a dozen fill the bound.
    const names = Array.from({ length: 60 }, (_, m) => `${String(m).padStart(3, '0')}_`.padEnd(64, 'x'));
    const second = (ts: number, hot: boolean): object =>
      telemetry({
        assetId: 'big',
        receivedAt: ts + 50,
        readings: [
          { metric: 'temperature', value: hot ? 150 : 70 + ((ts / 1000) % 3), ts, quality: 'GOOD' },
          ...names.map((metric, m) => ({ metric, value: m + Math.sin(ts / 1000 + m) * 0.01, ts, quality: 'UNCERTAIN' as const })),
        ],
      });
    let t = NOW - 6 * 86_400_000;
    const p = new Processor({ settings: { warmupSamples: 10, limits: { temperature: { max: 100 } } }, states, status, alerts, quarantine, metrics: captured.metrics, logger: silentLogger(), statusHeartbeatSeconds: 60, breakers: [], now: () => now });
    const batch = async (count: number, hot: (i: number) => boolean): Promise<void> => {
      const payloads = Array.from({ length: count }, (_, i) => second(t + i * 1_000, hot(i)));
      t += count * 1_000;
      now = t + 1_000;
      const records = kinesisRecords(payloads, sequence, undefined, t);
      sequence += BigInt(count);
      await p.handle(kinesisEvent(records), lambdaContext(60_000));
    };
    const outbox = (): readonly unknown[] => decodeCheckpoint(states.items.get('big') as Record<string, unknown>).outbox ?? [];
    await batch(12, () => false);
    alerts.failWith = new PermanentDependencyError('sns', 'KMS.AccessDeniedException (test)');
    // One alerted episode per cooldown (900 s): 3 hot seconds, then 50 normal ones that end it.
    for (let cycle = 0; captured.total(METRIC_NAMES.noticesDropped) === 0 && cycle < 40; cycle += 1) {
      await batch(53, (i) => i < 3);
      t += 900_000;
      expect(Buffer.byteLength(JSON.stringify(outbox()))).toBeLessThanOrEqual(MAX_OUTBOX_BYTES);
    }
    expect(captured.total(METRIC_NAMES.noticesDropped)).toBeGreaterThan(0);
    const kept = outbox().length;
    expect(kept).toBeGreaterThan(5);

    alerts.failWith = undefined;
    await batch(5, () => false);
    expect(alerts.published.length + alerts.recoveries.length).toBe(kept);
    expect(outbox()).toEqual([]);
  });

  it('offers a metric again when the status write that carried it was superseded', async () => {
    const p = processor();
    status.supersede = true;
    await run(p, seconds('s', 0, 2));
    status.supersede = false;
    now += 1_000;
    await run(p, seconds('s', 2, 2));
    expect(status.writes.map((write) => write.metrics)).toEqual([['pressure', 'temperature'], ['pressure', 'temperature']]);
  });

  it('judges readings, alerts once per episode, writes status and checkpoints, and emits metrics', async () => {
    const { outcome } = await run(processor(), [...seconds('a', 0, 12, 3), 'junk']);

    expect(outcome).toMatchObject({ response: { batchItemFailures: [] }, judged: 30, skipped: 0, quarantined: 1, alertsPublished: 1, anomaliesOpened: 1, statusWrites: 1 });
    expect(alerts.published).toEqual([
      {
        episodeId: `a:${START + 12_000}`,
        assetId: 'a',
        plantId: 'sp1',
        lineId: 'line-2',
        thingName: 'gw-01',
        startedAt: START + 12_000,
        detectedAt: START + 12_000,
        score: expect.any(Number) as unknown,
        threshold: expect.any(Number) as unknown,
        limitBreaches: ['temperature'],
        contributors: ['temperature'],
        values: { temperature: { value: 150, quality: 'GOOD' }, pressure: { value: 2, quality: 'GOOD' } },
      },
    ]);
    expect(status.writes).toEqual([
      expect.objectContaining({ assetId: 'a', status: 'ANOMALY', lastSeen: START + 14_050, lastReadingTs: START + 14_000, episodeId: `a:${START + 12_000}` }),
    ]);
    expect(status.links).toEqual(['gw-01>a']);
    expect(states.lastTs('a')).toBe(START + 14_000);
    expect(quarantine.entries.map((e) => e.reason)).toEqual(['INVALID_JSON']);
    expect(captured.total(METRIC_NAMES.readingsProcessed)).toBe(30);
    expect(captured.total(METRIC_NAMES.anomaliesOpened)).toBe(1);
    expect(captured.total(METRIC_NAMES.alertsPublished)).toBe(1);
    expect(captured.total(METRIC_NAMES.recordsQuarantined)).toBe(1);
    expect(captured.values.get(METRIC_NAMES.endToEndLatency)).toHaveLength(15);
    expect(captured.values.get(METRIC_NAMES.endToEndLatency)?.[0]).toBe(NOW - START);
    expect(captured.values.get(METRIC_NAMES.batchDuration)).toEqual([0]);
    // The episode opened at 12 s and was still open at the batch's last sample, 14 s.
    expect(captured.values.get(METRIC_NAMES.oldestOpenEpisodeAge)).toEqual([2]);
  });

  it('emits no negative latency for a device clock ahead of the function\'s: CloudWatch drops a period\'s percentiles over one', async () => {
    await run(processor(), [assetSecond('a', NOW + 2_000, { temperature: 70 }), assetSecond('b', NOW - 500, { temperature: 70 })]);
    expect(captured.values.get(METRIC_NAMES.endToEndLatency)).toEqual([0, 500]);
  });

  it('publishes a recovery with the episode id of its alert when the episode ends, and writes the status back to OK', async () => {
    const p = processor();
    const first = await run(p, seconds('a', 0, 12, 3));
    expect(first.outcome).toMatchObject({ alertsPublished: 1, recoveriesPublished: 0 });
    now += 1_000;
    // The episode ends after recoverySamples (45) samples without its signature.
    const { outcome } = await run(p, seconds('a', 15, 45));
    expect(outcome).toMatchObject({ alertsPublished: 0, recoveriesPublished: 1 });
    expect(alerts.sequence).toEqual([`anomaly:a:${START + 12_000}`, `recovery:a:${START + 12_000}`]);
    expect(alerts.recoveries[0]).toEqual({
      episodeId: `a:${START + 12_000}`,
      assetId: 'a',
      plantId: 'sp1',
      lineId: 'line-2',
      thingName: 'gw-01',
      startedAt: START + 12_000,
      endedAt: START + 59_000,
      peakScore: expect.any(Number) as unknown,
      rebaselined: false,
      acknowledged: false,
      relearned: false,
      followedDrift: [],
      values: expect.any(Object) as unknown,
    });
    expect(status.writes.map((w) => w.status)).toEqual(['ANOMALY', 'OK']);
    expect(status.writes[1]).not.toHaveProperty('episodeId');
    expect(captured.total(METRIC_NAMES.recoveriesPublished)).toBe(1);
    // Only the first batch had an episode open at its end: the second reports no age.
    expect(captured.values.get(METRIC_NAMES.oldestOpenEpisodeAge)).toEqual([2]);
    // The episode's end is checkpointed at once, so a cold start neither repeats nor forgets it.
    expect(states.lastTs('a')).toBe(START + 59_000);
    expect((await run(processor(), seconds('a', 60, 1))).outcome).toMatchObject({ alertsPublished: 0, recoveriesPublished: 0 });
  });

  it("ends an open episode at an operator's acknowledgement with a recovery that says so, also in a container that restores the asset", async () => {
    const acknowledgedAt = new Map([['a', START + 20_000]]);
    const first = await run(processor({ acknowledgements: acknowledgedAt }), seconds('a', 0, 12, 3));
    expect(first.outcome).toMatchObject({ alertsPublished: 1, recoveriesPublished: 0 });
    now += 1_000;
    // A new container (a cold start after the config change) restores the open episode from its checkpoint.
    const { outcome } = await run(processor({ acknowledgements: acknowledgedAt }), seconds('a', 15, 10));
    expect(outcome).toMatchObject({ alertsPublished: 0, recoveriesPublished: 1 });
    expect(alerts.recoveries[0]).toMatchObject({ episodeId: `a:${START + 12_000}`, endedAt: START + 20_000, acknowledged: true });
    expect(status.writes.map((w) => w.status)).toEqual(['ANOMALY', 'OK']);
  });

  it("relearns an asset at an operator's request: a recovery that says so, the new warm-up checkpointed at once, and only once", async () => {
    const relearnRequests = new Map([['a', START + 20_000]]);
    await run(processor({ relearnRequests }), seconds('a', 0, 12, 3));
    now += 1_000;
    // A new container (a cold start after the config change) restores the open episode and relearns at the request's time.
    const { outcome } = await run(processor({ relearnRequests }), seconds('a', 15, 10));
    expect(outcome).toMatchObject({ alertsPublished: 0, recoveriesPublished: 1 });
    expect(alerts.recoveries[0]).toMatchObject({ episodeId: `a:${START + 12_000}`, endedAt: START + 20_000, relearned: true, acknowledged: false, rebaselined: false, followedDrift: [] });
    expect(status.writes.map((w) => w.status)).toEqual(['ANOMALY', 'OK']);
    // Still warming up (10 samples from the request on): the checkpoint holds the new warm-up and when it began.
    expect(decodeCheckpoint(states.items.get('a') as Record<string, unknown>).state).toMatchObject({ learningSince: START + 20_000, model: null, samples: 5 });
    now += 1_000;
    // The next container restores that warm-up and does not start another.
    await run(processor({ relearnRequests }), seconds('a', 25, 10));
    expect(alerts.recoveries).toHaveLength(1);
    expect(decodeCheckpoint(states.items.get('a') as Record<string, unknown>).state).toMatchObject({ learningSince: START + 20_000, samples: 10 });
    expect(decodeCheckpoint(states.items.get('a') as Record<string, unknown>).state.model).not.toBeNull();
  });

  it('keeps the status ANOMALY while the episode is open, also after a batch ending on a sample without usable readings', async () => {
    const p = processor();
    await run(p, seconds('a', 0, 12, 3));
    now += 1_000;
    // Still hot; the batch's last message holds only a BAD reading (no evidence: not flagged, the episode stays open).
    const badOnly = (second: number): unknown => {
      const message = assetSecond('a', START + second * 1_000, { temperature: 0 });
      (message as { readings: { quality: string }[] }).readings[0].quality = 'BAD';
      return message;
    };
    await run(p, [assetSecond('a', START + 15_000, { temperature: 150, pressure: 2 }), badOnly(16)]);
    expect(status.writes.map((write) => write.status)).toEqual(['ANOMALY']);
    // Past the heartbeat, so the status is written again from a batch of one such sample.
    now += 61_000;
    await run(p, [badOnly(17)]);
    expect(status.writes).toHaveLength(2);
    const last = status.writes[status.writes.length - 1];
    expect({ status: last?.status, episodeId: last?.episodeId }).toEqual({ status: 'ANOMALY', episodeId: `a:${START + 12_000}` });
    expect(alerts.recoveries).toHaveLength(0);
  });

  it('publishes no recovery for an episode that raised no alert (inside the cooldown)', async () => {
    const p = processor();
    await run(p, [...seconds('a', 0, 12, 1), ...seconds('a', 13, 45), ...seconds('a', 58, 0, 1), ...seconds('a', 59, 45)]);
    expect(alerts.sequence).toEqual([`anomaly:a:${START + 12_000}`, `recovery:a:${START + 12_000}`]);
  });

  it('alerts an episode that opened inside the cooldown when the cooldown ends, and announces its end', async () => {
    const p = processor();
    // The first episode ends at 57 s; the fault is back at 58 s and stays: the 60 s cooldown is over at 117 s.
    await run(p, [...seconds('a', 0, 12, 1), ...seconds('a', 13, 45), ...seconds('a', 58, 0, 70), ...seconds('a', 128, 45)]);
    expect(alerts.sequence).toEqual([`anomaly:a:${START + 12_000}`, `recovery:a:${START + 12_000}`, `anomaly:a:${START + 58_000}`, `recovery:a:${START + 58_000}`]);
    expect(alerts.published[1]).toMatchObject({ startedAt: START + 58_000, detectedAt: START + 117_000 });
  });

  it('skips samples at or before the last judged ts, so a redelivered batch changes nothing', async () => {
    const p = processor();
    const payloads = seconds('a', 0, 12, 2);
    await run(p, payloads);
    const { outcome } = await run(p, payloads);

    expect(outcome).toMatchObject({ judged: 0, skipped: 28, alertsPublished: 0, statusWrites: 0 });
    expect(alerts.published).toHaveLength(1);
    expect(captured.total(METRIC_NAMES.readingsSkipped)).toBe(28);
  });

  it('restores the checkpoint in a new container and continues the open episode without a new alert', async () => {
    await run(processor(), seconds('a', 0, 12, 2));
    const cold = processor();
    const { outcome } = await run(cold, seconds('a', 14, 0, 1));

    expect(states.loads).toEqual([['a'], ['a']]);
    expect(outcome).toMatchObject({ judged: 2, alertsPublished: 0 });
    expect(cold.assetsInMemory).toBe(1);
  });

  it('logs each batch with its shard, its duration and how many assets it restored', async () => {
    const logger = silentLogger();
    const info = jest.spyOn(logger, 'info');
    const p = new Processor({ settings, states, status, alerts, quarantine, metrics: captured.metrics, logger, statusHeartbeatSeconds: 60, breakers: [], now: () => now });
    await run(p, [...seconds('a', 0, 3), ...seconds('b', 0, 3)]);
    now += 1_000;
    await run(p, seconds('a', 3, 3));

    const batches = info.mock.calls.filter(([message]) => message === 'batch processed').map(([, attributes]) => attributes);
    expect(batches).toEqual([
      expect.objectContaining({ shardId: 'shardId-000000000000', records: 6, assets: 2, restored: 2, durationMs: 0 }),
      expect.objectContaining({ shardId: 'shardId-000000000000', records: 3, assets: 1, restored: 0, durationMs: 0 }),
    ]);
  });

  it('names the metrics the warm-up left out of the model once it completes: a constant one gets its limits only', async () => {
    const logger = silentLogger();
    const warn = jest.spyOn(logger, 'warn');
    const p = new Processor({ settings, states, status, alerts, quarantine, metrics: captured.metrics, logger, statusHeartbeatSeconds: 60, breakers: [], now: () => now });
    const withSetpoint = (from: number, count: number): object[] =>
      Array.from({ length: count }, (_, i) => assetSecond('a', START + (from + i) * 1_000, { temperature: 70 + (i % 3), pressure: 2 + (i % 2) / 10, setpoint: 5 }));
    await run(p, withSetpoint(0, 8));
    now += 1_000;
    await run(p, withSetpoint(8, 4));
    const leftOut = warn.mock.calls.filter(([message]) => String(message).startsWith('detector model leaves out metrics'));
    expect(leftOut.map(([, attributes]) => attributes)).toEqual([{ assetId: 'a', modelMetrics: 2, constant: ['setpoint'], tooFewReadings: [] }]);
  });

  it('keeps its assets while the shard stays with it: one restore, one lease claim per batch', async () => {
    const p = processor();
    const batches = [seconds('a', 0, 4), seconds('a', 4, 4), seconds('a', 8, 4)];
    const claimed: string[] = [];
    for (const payloads of batches) {
      const { records } = await run(p, payloads);
      claimed.push(records[records.length - 1]?.kinesis.sequenceNumber ?? '');
    }
    expect(states.loads).toEqual([['a']]);
    expect(states.claims.map((claim) => claim.lastSequenceNumber)).toEqual(claimed);
    expect(new Set(states.claims.map((claim) => `${claim.shardId} ${claim.owner}`)).size).toBe(1);
    expect(captured.total(METRIC_NAMES.shardHandoffs)).toBe(0);
  });

  it('restores its assets when a retried lease write had landed (the claim comes back as its own, so who held it before is unknown), without counting a handoff', async () => {
    const p = processor();
    await run(p, seconds('a', 0, 4));
    // The first UpdateItem landed, its response was lost; the retry reads back the claim just written.
    const claimShard = states.claimShard.bind(states);
    jest.spyOn(states, 'claimShard').mockImplementationOnce(async (claim) => {
      await claimShard(claim);
      return claimShard(claim);
    });
    const { outcome } = await run(p, seconds('a', 4, 4));
    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(states.loads).toEqual([['a'], ['a']]);
    expect(captured.total(METRIC_NAMES.shardHandoffs)).toBe(0);
  });

  it('restores the assets of a shard another container processed in between, so the episode that one opened is not alerted again', async () => {
    const a = await episodeOpenedByAnotherContainer();
    // Without the lease, a would judge with its memory of second 11, open a new episode and alert again.
    const { outcome } = await run(a, seconds('a', 14, 0, 1));

    expect(outcome).toMatchObject({ judged: 2, alertsPublished: 0, anomaliesOpened: 0, shardHandoffs: 1 });
    expect(alerts.published).toHaveLength(1);
    expect(states.loads).toEqual([['a'], ['a'], ['a']]);
    expect(captured.total(METRIC_NAMES.shardHandoffs)).toBe(2);
  });

  it("drops only the handed-off shard's assets: an asset of another shard the container judges stays in memory", async () => {
    const OTHER_SHARD = 'shardId-000000000001';
    let otherSequence = 5_000n;
    /** A batch of the other shard, with its own sequence numbers. */
    const runOther = async (p: Processor, payloads: readonly unknown[]) => {
      const records = kinesisRecords(payloads, otherSequence, OTHER_SHARD);
      otherSequence += BigInt(payloads.length);
      return p.handle(kinesisEvent(records), lambdaContext());
    };
    const a = processor();
    const b = processor();
    await run(a, seconds('a', 0, 4));
    await runOther(a, seconds('o', 0, 4));
    now += 1_000;
    // Only the default shard moves to b and back; a keeps the other shard's lease throughout.
    await run(b, seconds('a', 4, 2));
    now += 1_000;
    const back = await run(a, seconds('a', 6, 2));
    expect(back.outcome).toMatchObject({ judged: 4, shardHandoffs: 1 });
    const other = await runOther(a, seconds('o', 4, 2));

    expect(other).toMatchObject({ judged: 4, skipped: 0, shardHandoffs: 0 });
    expect(other.response.batchItemFailures).toEqual([]);
    // 'o' was restored once, on a's first batch of its shard; 'a' three times (a, b, a after the handoff).
    expect(states.loads).toEqual([['a'], ['o'], ['a'], ['a']]);
  });

  it('checkpoints every batch of a shard that came back to it, for HANDOFF_EXACT_WINDOW_MS, so a moving shard restores exactly what was judged', async () => {
    const a = processor();
    const b = processor();
    await run(a, seconds('a', 0, 12));
    expect(states.lastTs('a')).toBe(START + 11_000);
    now += 1_000;
    // A take-over alone (a cold start) keeps the interval: b restores second 11, a's memory of 12-13 is lost.
    await run(b, seconds('a', 12, 2));
    expect(states.lastTs('a')).toBe(START + 11_000);
    now += 1_000;
    // The shard comes back to a: it moves between containers, so a checkpoints every batch from now on.
    const back = await run(a, seconds('a', 14, 2));
    expect(back.outcome).toMatchObject({ judged: 4, skipped: 0 });
    expect(states.lastTs('a')).toBe(START + 15_000);
    now += 1_000;
    await run(a, seconds('a', 16, 2));
    expect(states.lastTs('a')).toBe(START + 17_000);
    now += HANDOFF_EXACT_WINDOW_MS;
    await run(a, seconds('a', 18, 2));
    expect(states.lastTs('a')).toBe(START + 19_000);
    now += 1_000;
    await run(a, seconds('a', 20, 2));
    expect(states.lastTs('a')).toBe(START + 19_000);
  });

  it('reports the telemetry of a batch whose lease claim failed, and restores its assets on the retry', async () => {
    const p = processor();
    await run(p, seconds('a', 0, 4));
    states.failClaim = new TransientDependencyError('dynamodb', 'UpdateItem lease (test)');
    const payloads = seconds('a', 4, 2);
    const { records, outcome } = await run(p, payloads);
    expect(outcome.response.batchItemFailures).toEqual(records.map((record) => ({ itemIdentifier: record.kinesis.sequenceNumber })));
    expect(outcome.judged).toBe(0);

    states.failClaim = undefined;
    sequence -= BigInt(payloads.length);
    const retry = await run(p, payloads);
    // The failed claim may have been written: the container no longer vouches for its memory of the shard.
    expect(retry.outcome).toMatchObject({ judged: 4, skipped: 0, shardHandoffs: 0 });
    expect(retry.outcome.response.batchItemFailures).toEqual([]);
    expect(states.loads).toEqual([['a'], ['a']]);
  });

  it('restores an asset that reaches it on another shard (after a resharding)', async () => {
    const p = processor();
    await run(p, seconds('a', 0, 4));
    const moved = kinesisRecords(seconds('a', 4, 2), 5_000n, 'shardId-000000000001');
    const outcome = await p.handle(kinesisEvent(moved), lambdaContext());
    expect(outcome).toMatchObject({ judged: 4, shardHandoffs: 0 });
    expect(states.loads).toEqual([['a'], ['a']]);
  });

  it('starts a fresh warm-up when the checkpoint cannot be read', async () => {
    states.items.set('a', { assetId: 'a', state: '{"version":99}', lastTs: START + 999_000, savedAt: 0 });
    const { outcome } = await run(processor(), seconds('a', 0, 1));
    expect(outcome).toMatchObject({ judged: 2, skipped: 0 });
    expect(states.lastTs('a')).toBe(START);
  });

  it('keeps an asset whose alert cannot be published committed, the alert in its checkpoint\'s outbox, and publishes it on the retry', async () => {
    const p = processor();
    alerts.failWith = new TransientDependencyError('sns', 'sns failed after 4 attempt(s)');
    const payloads = [assetSecond('ok', START, { temperature: 70 }), ...seconds('a', 0, 12, 2)];
    const { records, outcome } = await run(p, payloads);

    expect(outcome.response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.slice(1).map((r) => r.kinesis.sequenceNumber));
    expect(states.lastTs('ok')).toBe(START);
    expect(states.lastTs('a')).toBe(START + 13_000);
    const outbox = (): unknown[] | undefined => decodeCheckpoint(states.items.get('a') as Record<string, unknown>).outbox as unknown[] | undefined;
    expect(outbox()).toEqual([{ alert: expect.objectContaining({ episodeId: `a:${START + 12_000}` }) as unknown }]);
    expect(captured.total(METRIC_NAMES.recordsRetried)).toBe(14);

    alerts.failWith = undefined;
    const retry = await run(p, payloads.slice(1));
    // Nothing judged again: the retry publishes what the outbox holds, then writes it empty.
    expect(retry.outcome).toMatchObject({ judged: 0, alertsPublished: 1, response: { batchItemFailures: [] } });
    expect(alerts.published.map((a) => a.episodeId)).toEqual([`a:${START + 12_000}`]);
    expect(outbox()).toBeUndefined();
  });

  it('publishes an outbox a failed container left, with the same episode id, in the container that restores the asset', async () => {
    alerts.failWith = new TransientDependencyError('sns', 'sns failed after 4 attempt(s)');
    const payloads = seconds('a', 0, 12, 2);
    await run(processor(), payloads);
    alerts.failWith = undefined;
    const elsewhere = processor();
    const retry = await run(elsewhere, payloads);
    expect(retry.outcome).toMatchObject({ judged: 0, alertsPublished: 1 });
    expect(alerts.published.map((a) => a.episodeId)).toEqual([`a:${START + 12_000}`]);
    now += 1_000;
    await run(elsewhere, seconds('a', 14, 0, 2));
    expect(alerts.published).toHaveLength(1);
  });

  it('rolls back to the last checkpoint when the checkpoint write fails, so the retry judges the same samples again', async () => {
    const p = processor();
    await run(p, seconds('a', 0, 5));
    states.failSaveFor.add('a');
    now += 60_000;
    const failed = await run(p, seconds('a', 5, 5));
    expect(failed.outcome.response.batchItemFailures).toHaveLength(5);
    expect(states.lastTs('a')).toBe(START + 4_000);

    states.failSaveFor.clear();
    const retried = await run(p, seconds('a', 5, 5));
    expect(retried.outcome).toMatchObject({ judged: 10, skipped: 0 });
    expect(states.lastTs('a')).toBe(START + 9_000);
  });

  it('publishes no alert before its checkpoint is written, so a retry in another container raises no second episode id', async () => {
    await run(processor(), seconds('a', 0, 12));
    states.failSaveFor.add('a');
    now += 1_000;
    const failed = await run(processor(), seconds('a', 12, 0, 2));
    expect(failed.outcome.response.batchItemFailures).toHaveLength(2);
    expect(alerts.published).toHaveLength(0);
    states.failSaveFor.clear();
    await run(processor(), seconds('a', 12, 0, 2));
    expect(alerts.published.map((a) => a.episodeId)).toEqual([`a:${START + 12_000}`]);
  });

  it('judges other metrics of the asset at an instant already judged, and skips what was judged there', async () => {
    const p = processor();
    await run(p, seconds('a', 0, 3));
    const instant = START + 3_000;
    const first = await run(p, [assetSecond('a', instant, { temperature: 71 })]);
    now += 60_000; // due for a checkpoint
    const second = await run(p, [assetSecond('a', instant, { pressure: 2.1, vibration: 0.3 })]);
    const redelivered = await run(p, [assetSecond('a', instant, { temperature: 71, pressure: 2.1 })]);
    const older = await run(p, [assetSecond('a', instant - 1_000, { humidity: 40 })]);
    expect([first.outcome, second.outcome, redelivered.outcome, older.outcome].map((o) => [o.judged, o.skipped])).toEqual([
      [1, 0],
      [2, 0],
      [0, 2],
      [0, 1],
    ]);
    expect(states.items.get('a')).toMatchObject({ lastTs: instant, lastTsMetrics: ['pressure', 'temperature', 'vibration'] });
  });

  it('keeps the metrics judged at the last instant in the checkpoint, so a cold start skips their redelivery', async () => {
    const warm = processor();
    await run(warm, seconds('a', 0, 3));
    const instant = START + 2_000;
    const cold = processor();
    expect((await run(cold, [assetSecond('a', instant, { temperature: 72, humidity: 40 })])).outcome).toMatchObject({ judged: 1, skipped: 1 });
  });

  it('checkpoints an asset at most once per interval, but at once when an episode opens', async () => {
    const p = processor();
    await run(p, seconds('a', 0, 12));
    now += 30_000;
    await run(p, seconds('a', 12, 2));
    expect(states.lastTs('a')).toBe(START + 11_000);
    now += 1_000;
    await run(p, seconds('a', 14, 0, 1));
    expect(states.lastTs('a')).toBe(START + 14_000);
    now += 60_000;
    await run(p, seconds('a', 15, 0, 1));
    expect(states.lastTs('a')).toBe(START + 15_000);
  });

  it('checkpoints at once when the warm-up completes, so a cold start does not learn again', async () => {
    const p = processor();
    await run(p, seconds('a', 0, 4));
    now += 5_000;
    await run(p, seconds('a', 4, 4));
    expect(states.lastTs('a')).toBe(START + 3_000);
    now += 5_000;
    // Samples 9 and 10 of a 10-sample warm-up: the checkpoint after them holds a fitted model.
    await run(p, seconds('a', 8, 2));
    expect(states.lastTs('a')).toBe(START + 9_000);
    now += 5_000;
    await run(p, seconds('a', 10, 2));
    expect(states.lastTs('a')).toBe(START + 9_000);
    const checkpoint = decodeCheckpoint(states.items.get('a') as Record<string, unknown>);
    expect(AssetDetector.fromState(checkpoint.state, settings).warmingUp).toBe(false);
  });

  it('rolls back to the state before the batch, not to an older checkpoint', async () => {
    const p = processor();
    await run(p, seconds('a', 0, 3));
    now += 10_000;
    await run(p, seconds('a', 3, 3));
    states.failSaveFor.add('a');
    now += 60_000;
    const failed = await run(p, seconds('a', 6, 3));
    expect(failed.outcome.response.batchItemFailures).toHaveLength(3);
    states.failSaveFor.clear();
    const retried = await run(p, seconds('a', 6, 3));
    expect(retried.outcome).toMatchObject({ judged: 6, skipped: 0 });
    const again = await run(p, seconds('a', 3, 3));
    expect(again.outcome).toMatchObject({ judged: 0, skipped: 6 });
  });

  it('reports only the assets whose restore failed', async () => {
    states.failLoad = new TransientDependencyError('dynamodb', 'dynamodb failed after 4 attempt(s)');
    const { records, outcome } = await run(processor(), [...seconds('a', 0, 1), ...seconds('b', 0, 1)]);
    expect(outcome.response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.map((r) => r.kinesis.sequenceNumber));
    expect(outcome.judged).toBe(0);
  });

  it('writes an unchanged status at most once per heartbeat, and a change at once', async () => {
    const p = processor();
    await run(p, seconds('a', 0, 2));
    now += 30_000;
    await run(p, seconds('a', 2, 2));
    expect(status.writes.map((w) => w.status)).toEqual(['OK']);
    now += 30_000;
    await run(p, seconds('a', 4, 2));
    expect(status.writes.map((w) => w.status)).toEqual(['OK', 'OK']);
    now += 1_000;
    await run(p, seconds('a', 6, 0, 1));
    expect(status.writes.map((w) => w.status)).toEqual(['OK', 'OK', 'ANOMALY']);
    expect(status.links).toEqual(['gw-01>a']);
  });

  it('writes the status again on the next batch after a write was superseded by OFFLINE', async () => {
    const p = processor();
    status.supersede = true;
    await run(p, seconds('a', 0, 1));
    status.supersede = false;
    now += 1_000;
    await run(p, seconds('a', 1, 1));
    expect(status.writes).toHaveLength(2);
  });

  it('applies presence events and rewrites the status of an asset it marked OFFLINE on its next reading', async () => {
    const p = processor();
    await run(p, seconds('a', 0, 1));
    status.offlineOnDisconnect = ['a'];
    const { outcome } = await run(p, [presence({ timestamp: START + 500 })]);
    expect(outcome.presence).toBe(1);
    expect(status.presence.map((e) => [e.eventType, e.thingName])).toEqual([['disconnected', 'gw-01']]);
    now += 1_000;
    await run(p, seconds('a', 1, 1));
    expect(status.writes.map((w) => w.status)).toEqual(['OK', 'OK']);
  });

  it('reports a presence event that could not be applied', async () => {
    status.failWith = new TransientDependencyError('dynamodb', 'dynamodb failed after 4 attempt(s)');
    const { records, outcome } = await run(processor(), [presence()]);
    expect(outcome.response.batchItemFailures).toEqual(records.map((record) => ({ itemIdentifier: record.kinesis.sequenceNumber })));
  });

  it('starts nothing once the deadline has passed and reports the batch', async () => {
    const { outcome } = await run(processor(), seconds('a', 0, 2), 100);
    expect(outcome.response.batchItemFailures).toHaveLength(2);
    expect(states.items.size).toBe(0);
  });
});

describe('quantileSample', () => {
  it('keeps small sets and spreads a large one over its distribution, min and max included', () => {
    expect(quantileSample([3, 1, 2], 5)).toEqual([3, 1, 2]);
    const sample = quantileSample(Array.from({ length: 1_001 }, (_, i) => 1_000 - i), 11);
    expect(sample).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000]);
  });
});
