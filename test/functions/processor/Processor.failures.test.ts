import { Processor } from '../../../functions/processor/Processor';
import { assetSecond, kinesisEvent, kinesisRecords, lambdaContext, NOW, presence } from '../../helpers/records';
import { MemoryAlerts, MemoryStates, MemoryStatus, memoryProcessor } from './fakePorts';

const START = NOW - 120_000;
const settings = { warmupSamples: 10, cooldownSeconds: 60, limits: { temperature: { max: 100 } } };

/** Seconds of one asset: normal temperatures, then `hot` seconds above the limit. */
function seconds(assetId: string, from: number, normal: number, hot = 0): object[] {
  return Array.from({ length: normal + hot }, (_, i) =>
    assetSecond(assetId, START + (from + i) * 1_000, { temperature: i < normal ? 70 + (i % 3) : 150, pressure: 2 + (i % 2) / 10 }),
  );
}

describe('Processor on an unexpected error', () => {
  let states: MemoryStates;
  let status: MemoryStatus;
  let alerts: MemoryAlerts;
  let now: number;

  const processor = (): Processor => memoryProcessor({ settings, states, status, alerts, now: () => now });

  beforeEach(() => {
    states = new MemoryStates();
    status = new MemoryStatus();
    alerts = new MemoryAlerts();
    now = NOW;
  });

  it('judges the records of an invocation that threw again on the retry: the episode it opened in memory is checkpointed and alerted', async () => {
    const p = processor();
    await p.handle(kinesisEvent(kinesisRecords(seconds('a', 0, 12), 1_000n)), lambdaContext(60_000));
    now += 1_000;
    // A bug after the batch was judged (here the checkpoint write throws instead of reporting): the invocation fails.
    jest.spyOn(states, 'save').mockImplementationOnce(async () => {
      throw new TypeError('checkpoint could not be encoded (test)');
    });
    const hot = kinesisRecords(seconds('a', 12, 0, 2), 1_012n);
    await expect(p.handle(kinesisEvent(hot), lambdaContext(60_000))).rejects.toThrow('checkpoint could not be encoded (test)');
    expect(alerts.published).toEqual([]);

    // Lambda retries the failed invocation with the same records (bisected or whole) in the same container.
    now += 1_000;
    const retry = await p.handle(kinesisEvent(hot), lambdaContext(60_000));
    expect(retry.response.batchItemFailures).toEqual([]);
    expect(retry).toMatchObject({ judged: 4, alertsPublished: 1 });
    expect(alerts.published.map((alert) => alert.episodeId)).toEqual([`a:${START + 12_000}`]);
    expect(states.lastTs('a')).toBe(START + 13_000);
  });

  it('reports the presence events of a thing whose writes stopped on an unexpected error, instead of dropping them', async () => {
    // The context breaks once, right after the thing's first write (a stand-in for a bug between two writes).
    let breakNext = false;
    const context = lambdaContext(() => {
      if (!breakNext) return 60_000;
      breakNext = false;
      throw new Error('the context broke (a stand-in for a bug)');
    });
    status.beforePresence = async () => {
      breakNext = true;
    };
    const events = [
      presence({ eventType: 'disconnected', timestamp: NOW - 2_000 }), // 0: written first (the last disconnect)
      presence({ eventType: 'connected', timestamp: NOW - 1_000, disconnectReason: undefined }), // 1: the winner, never written
    ];
    const records = kinesisRecords(events, 2_000n);
    const outcome = await processor().handle(kinesisEvent(records), context);

    expect(status.calls).toEqual([`presence:gw-01:disconnected:${NOW - 2_000}`]);
    expect(outcome.response.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.kinesis.sequenceNumber }]);
  });
});
