import { createHash } from 'node:crypto';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { CircuitBreaker } from '../shared/CircuitBreaker';
import { SNS_LIMITS } from '../shared/constants';
import type { Deadline } from '../shared/Deadline';
import { withRetry, type RetryPolicy } from '../shared/withRetry';
import type { AlertPort, AnomalyAlert, EpisodeOrigin, EpisodeRecovery } from './types';

export interface AlertPublisherOptions {
  readonly sns: SNSClient;
  readonly topicArn: string;
  readonly dashboardUrl: string;
  readonly breaker: CircuitBreaker;
  readonly policy?: RetryPolicy;
}


/** Value of the `eventType` message attribute: subscribers filter or route on it. */
export const ALERT_EVENT_TYPES = { anomaly: 'anomaly', recovery: 'recovery' } as const;

/** The subject SNS accepts: printable ASCII (e-mail subjects), shorter than 100 characters; long ids are cut. */
function subjectOf(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, SNS_LIMITS.maxSubjectLength);
}

/** Deterministic id of an episode: the same episode gets the same id on every replay or redelivery. */
export function episodeIdOf(assetId: string, startedAt: number): string {
  return `${assetId}:${startedAt}`;
}

/** The values block of a message's text, saying how many metrics were left out. */
function valueLines(origin: EpisodeOrigin): string[] {
  const lines = ['Values:'];
  for (const [metric, v] of Object.entries(origin.values)) {
    lines.push(`  ${metric} = ${v.value}${v.unit === undefined ? '' : ` ${v.unit}`}${v.quality === 'GOOD' ? '' : ` (${v.quality})`}`);
  }
  if (origin.valuesOmitted !== undefined) lines.push(`  and ${origin.valuesOmitted} more metrics (see the dashboard)`);
  return lines;
}

/** The human text of an alert (e-mail subscriptions get this, machine subscribers the JSON). */
export function alertText(alert: AnomalyAlert, dashboardUrl: string): string {
  const lines = [
    `Anomaly on asset ${alert.assetId} (plant ${alert.plantId}, line ${alert.lineId}, thing ${alert.thingName})`,
    `Started: ${new Date(alert.startedAt).toISOString()}`,
    `Score: ${alert.score.toFixed(3)}${alert.threshold === null ? '' : ` (threshold ${alert.threshold.toFixed(3)})`}`,
  ];
  if (alert.limitBreaches.length > 0) lines.push(`Outside configured limits: ${alert.limitBreaches.join(', ')}`);
  if (alert.contributors.length > 0) lines.push(`Main contributors: ${alert.contributors.join(', ')}`);
  lines.push(...valueLines(alert), `Episode: ${alert.episodeId}`, `Dashboard: ${dashboardUrl}`);
  return lines.join('\n');
}

/** The human text of a recovery. */
export function recoveryText(recovery: EpisodeRecovery, dashboardUrl: string): string {
  const lines = [
    `Recovered: asset ${recovery.assetId} (plant ${recovery.plantId}, line ${recovery.lineId}, thing ${recovery.thingName})`,
    `Started: ${new Date(recovery.startedAt).toISOString()}`,
    `Ended: ${new Date(recovery.endedAt).toISOString()}`,
    `Peak score: ${recovery.peakScore.toFixed(3)}`,
  ];
  if (recovery.relearned) {
    lines.push('An operator asked the detector to relearn the asset (config detection.relearn): it is warming up on the current operating point again, and until it has only the configured limits are checked.');
  } else if (recovery.acknowledged) {
    lines.push(`An operator acknowledged the episode (config detection.acknowledge); the detector ${recovery.rebaselined ? 're-baselined on the current operating point' : 'closed it'}.`);
  } else if (recovery.rebaselined) {
    lines.push('The process settled at a new operating point; the detector re-baselined on it.');
  }
  const followed = recovery.followedDrift ?? [];
  if (followed.length > 0) {
    const metrics = followed.map(({ metric, shift }) => `${metric} (${shift.toFixed(1)} residual standard deviations)`).join(', ');
    lines.push(`During the episode the detector followed the drift these metrics showed before it: ${metrics}; check that the fault itself is gone.`);
  }
  lines.push(...valueLines(recovery), `Episode: ${recovery.episodeId}`, `Dashboard: ${dashboardUrl}`);
  return lines.join('\n');
}

/**
 * Publishes one SNS message per alerting episode, and one more when that episode ends. Delivery is at least once (a batch retried after
 * the publish repeats it), so every message carries the deterministic episode id as a message
 * attribute for subscribers to deduplicate on, with `eventType` (anomaly or recovery) telling the
 * two messages of an episode apart; on a FIFO topic the deduplication id is derived from both.
 */
export class AlertPublisher implements AlertPort {
  readonly #options: AlertPublisherOptions;

  constructor(options: AlertPublisherOptions) {
    this.#options = options;
  }

  async publish(alert: AnomalyAlert, deadline: Deadline): Promise<void> {
    const { dashboardUrl } = this.#options;
    const json = JSON.stringify({
      type: ALERT_EVENT_TYPES.anomaly,
      ...alert,
      startedAt: new Date(alert.startedAt).toISOString(),
      detectedAt: new Date(alert.detectedAt).toISOString(),
      dashboardUrl,
    });
    await this.#send(alert, ALERT_EVENT_TYPES.anomaly, `Anomaly: ${alert.assetId} on ${alert.plantId}/${alert.lineId}`, json, alertText(alert, dashboardUrl), deadline);
  }

  async publishRecovery(recovery: EpisodeRecovery, deadline: Deadline): Promise<void> {
    const { dashboardUrl } = this.#options;
    const json = JSON.stringify({
      type: ALERT_EVENT_TYPES.recovery,
      ...recovery,
      startedAt: new Date(recovery.startedAt).toISOString(),
      endedAt: new Date(recovery.endedAt).toISOString(),
      dashboardUrl,
    });
    const subject = `Recovered: ${recovery.assetId} on ${recovery.plantId}/${recovery.lineId}`;
    await this.#send(recovery, ALERT_EVENT_TYPES.recovery, subject, json, recoveryText(recovery, dashboardUrl), deadline);
  }

  async #send(
    episode: Pick<AnomalyAlert, 'episodeId' | 'assetId' | 'plantId' | 'lineId'>,
    eventType: string,
    subject: string,
    json: string,
    text: string,
    deadline: Deadline,
  ): Promise<void> {
    const { sns, topicArn, breaker, policy } = this.#options;
    const fifo = topicArn.endsWith('.fifo');
    // The anomaly keeps the hash of the bare episode id it always had; the recovery's differs from it.
    const dedupKey = eventType === ALERT_EVENT_TYPES.anomaly ? episode.episodeId : `${episode.episodeId}#${eventType}`;
    const command = new PublishCommand({
      TopicArn: topicArn,
      Subject: subjectOf(subject),
      MessageStructure: 'json',
      Message: JSON.stringify({ default: json, email: text, 'email-json': json }),
      MessageAttributes: {
        episodeId: { DataType: 'String', StringValue: episode.episodeId },
        eventType: { DataType: 'String', StringValue: eventType },
        assetId: { DataType: 'String', StringValue: episode.assetId },
        lineKey: { DataType: 'String', StringValue: `${episode.plantId}#${episode.lineId}` },
      },
      ...(fifo ? { MessageGroupId: episode.assetId, MessageDeduplicationId: createHash('sha256').update(dedupKey).digest('hex') } : {}),
    });
    await withRetry((abortSignal) => sns.send(command, { abortSignal }), { breaker, deadline, ...(policy ? { policy } : {}) });
  }
}
