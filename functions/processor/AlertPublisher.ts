import { createHash } from 'node:crypto';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { CircuitBreaker } from '../shared/CircuitBreaker';
import type { Deadline } from '../shared/Deadline';
import { withRetry, type RetryPolicy } from '../shared/withRetry';
import type { AlertPort, AnomalyAlert } from './types';

export interface AlertPublisherOptions {
  readonly sns: SNSClient;
  readonly topicArn: string;
  readonly dashboardUrl: string;
  readonly breaker: CircuitBreaker;
  readonly policy?: RetryPolicy;
}

/** SNS subjects are at most 100 ASCII characters without line breaks. */
const MAX_SUBJECT_LENGTH = 100;

/** Deterministic id of an episode: the same episode gets the same id on every replay or redelivery. */
export function episodeIdOf(assetId: string, startedAt: number): string {
  return `${assetId}:${startedAt}`;
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
  lines.push('Values:');
  for (const [metric, v] of Object.entries(alert.values)) {
    lines.push(`  ${metric} = ${v.value}${v.unit === undefined ? '' : ` ${v.unit}`}${v.quality === 'GOOD' ? '' : ` (${v.quality})`}`);
  }
  lines.push(`Episode: ${alert.episodeId}`, `Dashboard: ${dashboardUrl}`);
  return lines.join('\n');
}

/**
 * Publishes one SNS message per alerting episode. Delivery is at least once (a batch retried after
 * the publish repeats it), so every message carries the deterministic episode id as a message
 * attribute for subscribers to deduplicate on; on a FIFO topic it is also the deduplication id.
 */
export class AlertPublisher implements AlertPort {
  readonly #options: AlertPublisherOptions;

  constructor(options: AlertPublisherOptions) {
    this.#options = options;
  }

  async publish(alert: AnomalyAlert, deadline: Deadline): Promise<void> {
    const { sns, topicArn, dashboardUrl, breaker, policy } = this.#options;
    const text = alertText(alert, dashboardUrl);
    const json = JSON.stringify({
      type: 'anomaly',
      ...alert,
      startedAt: new Date(alert.startedAt).toISOString(),
      detectedAt: new Date(alert.detectedAt).toISOString(),
      dashboardUrl,
    });
    const subject = `Anomaly: ${alert.assetId} on ${alert.plantId}/${alert.lineId}`.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_SUBJECT_LENGTH);
    const fifo = topicArn.endsWith('.fifo');
    const command = new PublishCommand({
      TopicArn: topicArn,
      Subject: subject,
      MessageStructure: 'json',
      Message: JSON.stringify({ default: json, email: text, 'email-json': json }),
      MessageAttributes: {
        episodeId: { DataType: 'String', StringValue: alert.episodeId },
        assetId: { DataType: 'String', StringValue: alert.assetId },
        lineKey: { DataType: 'String', StringValue: `${alert.plantId}#${alert.lineId}` },
      },
      ...(fifo
        ? { MessageGroupId: alert.assetId, MessageDeduplicationId: createHash('sha256').update(alert.episodeId).digest('hex') }
        : {}),
    });
    await withRetry((abortSignal) => sns.send(command, { abortSignal }), { breaker, deadline, ...(policy ? { policy } : {}) });
  }
}
