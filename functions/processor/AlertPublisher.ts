import { createHash } from 'node:crypto';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { CircuitBreaker } from '../shared/CircuitBreaker';
import { SNS_LIMITS } from '../shared/constants';
import type { Deadline } from '../shared/Deadline';
import { withRetry, type RetryPolicy } from '../shared/withRetry';
import { alertText } from './alertText';
import { ALERT_EVENT_TYPES } from './constants';
import { recoveryText } from './recoveryText';
import type { AlertPort, AnomalyAlert, EpisodeRecovery } from './types';

export interface AlertPublisherOptions {
  readonly sns: SNSClient;
  readonly topicArn: string;
  readonly dashboardUrl: string;
  readonly breaker: CircuitBreaker;
  readonly policy?: RetryPolicy;
}

/** The subject SNS accepts: printable ASCII (e-mail subjects), shorter than 100 characters; long ids are cut. */
function subjectOf(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, SNS_LIMITS.maxSubjectLength);
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
