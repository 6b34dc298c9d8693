import type { FailureReason } from './types';

/** Counters of a running fleet, for the progress line and the summary. */
export class FleetStats {
  connected = 0;
  connects = 0;
  disconnects = 0;
  inFlight = 0;
  queued = 0;
  sent = 0;
  acked = 0;
  readingsAcked = 0;
  /** Publishes that will not be acknowledged, by reason; errors of connections by message. */
  readonly failed = new Map<FailureReason, number>();
  readonly errors = new Map<string, number>();
  /** Publish-to-PUBACK times of the last interval (ms). */
  ackTimes: number[] = [];

  fail(reason: FailureReason, count = 1): void {
    this.failed.set(reason, (this.failed.get(reason) ?? 0) + count);
  }

  error(message: string): void {
    // Group by the message without its variable parts (ids, numbers).
    const key = message.replace(/\d+/g, 'N').slice(0, 80);
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  get errorCount(): number {
    let total = 0;
    for (const count of this.errors.values()) total += count;
    return total;
  }

  get failedCount(): number {
    let total = 0;
    for (const count of this.failed.values()) total += count;
    return total;
  }
}
