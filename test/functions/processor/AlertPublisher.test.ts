import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { AlertPublisher } from '../../../functions/processor/AlertPublisher';
import { alertText } from '../../../functions/processor/alertText';
import { episodeIdOf } from '../../../functions/processor/episodeIdOf';
import { recoveryText } from '../../../functions/processor/recoveryText';
import type { AnomalyAlert, EpisodeRecovery } from '../../../functions/processor/types';
import { CircuitBreaker } from '../../../functions/shared/CircuitBreaker';
import { deadlineWith } from '../../helpers/fakes';

const alert: AnomalyAlert = {
  episodeId: episodeIdOf('pump-07', Date.UTC(2025, 10, 29, 12, 0, 0)),
  assetId: 'pump-07',
  plantId: 'sp1',
  lineId: 'line-2',
  thingName: 'gw-01',
  startedAt: Date.UTC(2025, 10, 29, 12, 0, 0),
  detectedAt: Date.UTC(2025, 10, 29, 12, 0, 0),
  score: 12.3456,
  threshold: 5,
  limitBreaches: ['temperature'],
  contributors: ['temperature', 'pressure'],
  values: { temperature: { value: 150, quality: 'GOOD', unit: 'Cel' }, pressure: { value: 2.1, quality: 'UNCERTAIN' } },
};

function publisher(send: jest.Mock, topicArn = 'arn:aws:sns:sa-east-1:123456789012:sns-alerts-dev'): AlertPublisher {
  return new AlertPublisher({ sns: { send } as unknown as SNSClient, topicArn, dashboardUrl: 'https://dash', breaker: new CircuitBreaker('sns') });
}

describe('AlertPublisher', () => {
  it('derives the episode id from the asset and the episode start', () => {
    expect(alert.episodeId).toBe('pump-07:1764417600000');
  });

  it('writes a readable text with the asset, line, values, score, time and dashboard link', () => {
    expect(alertText(alert, 'https://dash')).toBe(
      [
        'Anomaly on asset pump-07 (plant sp1, line line-2, thing gw-01)',
        'Started: 2025-11-29T12:00:00.000Z',
        'Score: 12.346 (threshold 5.000)',
        'Outside configured limits: temperature',
        'Main contributors: temperature, pressure',
        'Values:',
        '  temperature = 150 Cel',
        '  pressure = 2.1 (UNCERTAIN)',
        'Episode: pump-07:1764417600000',
        'Dashboard: https://dash',
      ].join('\n'),
    );
  });

  it('says when an episode that began inside the cooldown alerted, and why that late', () => {
    const late = { ...alert, detectedAt: alert.startedAt + 600_000 };
    expect(alertText(late, 'https://dash').split('\n').slice(1, 3)).toEqual([
      'Started: 2025-11-29T12:00:00.000Z',
      'Still anomalous at: 2025-11-29T12:10:00.000Z (it began within the alert cooldown after the previous episode ended)',
    ]);
  });

  it('says how many metrics the values leave out', () => {
    expect(alertText({ ...alert, valuesOmitted: 450 }, 'https://dash').split('\n').slice(6, 9)).toEqual([
      '  temperature = 150 Cel',
      '  pressure = 2.1 (UNCERTAIN)',
      '  and 450 more metrics (see the dashboard)',
    ]);
  });

  it('publishes JSON for machines, text for e-mail, and the episode id as an attribute', async () => {
    const send = jest.fn().mockResolvedValue({ MessageId: 'm' });
    await publisher(send).publish(alert, deadlineWith());
    const { input } = send.mock.calls[0]?.[0] as PublishCommand;
    expect(input.Subject).toBe('Anomaly: pump-07 on sp1/line-2');
    expect(input.MessageStructure).toBe('json');
    const message = JSON.parse(input.Message ?? '') as { default: string; email: string };
    expect(JSON.parse(message.default)).toMatchObject({ type: 'anomaly', episodeId: alert.episodeId, startedAt: '2025-11-29T12:00:00.000Z', dashboardUrl: 'https://dash' });
    expect(message.email).toBe(alertText(alert, 'https://dash'));
    expect(input.MessageAttributes?.episodeId).toEqual({ DataType: 'String', StringValue: alert.episodeId });
    expect(input.MessageGroupId).toBeUndefined();
  });

  it('deduplicates by episode on a FIFO topic', async () => {
    const send = jest.fn().mockResolvedValue({ MessageId: 'm' });
    await publisher(send, 'arn:aws:sns:sa-east-1:123456789012:sns-alerts-dev.fifo').publish(alert, deadlineWith());
    const { input } = send.mock.calls[0]?.[0] as PublishCommand;
    expect(input.MessageGroupId).toBe('pump-07');
    expect(input.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tells the anomaly and the recovery of one episode apart by the eventType attribute and the subject', async () => {
    const recovery: EpisodeRecovery = {
      episodeId: alert.episodeId,
      assetId: 'pump-07',
      plantId: 'sp1',
      lineId: 'line-2',
      thingName: 'gw-01',
      startedAt: alert.startedAt,
      endedAt: Date.UTC(2025, 10, 29, 12, 7, 30),
      peakScore: 12.3456,
      rebaselined: true,
      acknowledged: false,
      relearned: false,
      values: { pressure: { value: 2.1, quality: 'GOOD' } },
    };
    const send = jest.fn().mockResolvedValue({ MessageId: 'm' });
    const fifo = publisher(send, 'arn:aws:sns:sa-east-1:123456789012:sns-alerts-dev.fifo');
    await fifo.publish(alert, deadlineWith());
    await fifo.publishRecovery(recovery, deadlineWith());
    const [anomaly, recovered] = send.mock.calls.map((call) => (call[0] as PublishCommand).input);
    expect(anomaly?.MessageAttributes?.eventType).toEqual({ DataType: 'String', StringValue: 'anomaly' });
    expect(recovered?.MessageAttributes?.eventType).toEqual({ DataType: 'String', StringValue: 'recovery' });
    expect(recovered?.MessageAttributes?.episodeId).toEqual({ DataType: 'String', StringValue: alert.episodeId });
    expect(recovered?.Subject).toBe('Recovered: pump-07 on sp1/line-2');
    expect(recovered?.MessageDeduplicationId).not.toBe(anomaly?.MessageDeduplicationId);
    const message = JSON.parse(recovered?.Message ?? '') as { default: string; email: string };
    expect(JSON.parse(message.default)).toMatchObject({ type: 'recovery', episodeId: alert.episodeId, endedAt: '2025-11-29T12:07:30.000Z', rebaselined: true });
    expect(recoveryText(recovery, 'https://dash')).toBe(
      [
        'Recovered: asset pump-07 (plant sp1, line line-2, thing gw-01)',
        'Started: 2025-11-29T12:00:00.000Z',
        'Ended: 2025-11-29T12:07:30.000Z',
        'Peak score: 12.346',
        'The process settled at a new operating point; the detector re-baselined on it.',
        'Values:',
        '  pressure = 2.1',
        'Episode: pump-07:1764417600000',
        'Dashboard: https://dash',
      ].join('\n'),
    );
    expect(recoveryText({ ...recovery, acknowledged: true }, 'https://dash').split('\n')[4]).toBe(
      'An operator acknowledged the episode (config detection.acknowledge); the detector re-baselined on the current operating point.',
    );
    const drifted = { ...recovery, rebaselined: false, followedDrift: [{ metric: 'Accelerometer1RMS', shift: 2.29 }, { metric: 'Thermocouple', shift: 0.61 }] };
    expect(recoveryText(drifted, 'https://dash').split('\n')[4]).toBe(
      'During the episode the detector followed the drift these metrics showed before it: Accelerometer1RMS (2.3 residual standard deviations), ' +
        'Thermocouple (0.6 residual standard deviations); check that the fault itself is gone.',
    );
    await fifo.publishRecovery(drifted, deadlineWith());
    const driftedMessage = JSON.parse((send.mock.calls[2]?.[0] as PublishCommand).input.Message ?? '') as { default: string };
    expect(JSON.parse(driftedMessage.default)).toMatchObject({ type: 'recovery', followedDrift: drifted.followedDrift });
    // A notice checkpointed before the field existed still renders.
    expect(recoveryText({ ...recovery, followedDrift: undefined }, 'https://dash')).toBe(recoveryText(recovery, 'https://dash'));
    expect(recoveryText({ ...recovery, rebaselined: false, relearned: true }, 'https://dash').split('\n')[4]).toBe(
      'An operator asked the detector to relearn the asset (config detection.relearn): it is warming up on the current operating point again, and until it has only the configured limits are checked.',
    );
  });
});
