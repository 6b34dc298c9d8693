import type { FailureReason } from './types';

/** The summary's order of failure reasons: from never sent to refused by the broker. */
export const FAILURE_REASONS: readonly FailureReason[] = ['overflowed', 'unsent', 'disconnected', 'timeout', 'refused'];

/** One kind of error (its message without the variable parts): how often, how often before a CONNACK, one example. */
export interface ErrorKind {
  count: number;
  /** Of `count`, while the device was not connected: the reasons connects fail. */
  connecting: number;
  readonly example: string;
}

/** Counters of a running fleet, for the progress line and the summary. */
export class FleetStats {
  connected = 0;
  /** Connections opened (TCP/TLS/MQTT attempts), and of those the ones that got a CONNACK. */
  attempts = 0;
  connects = 0;
  disconnects = 0;
  inFlight = 0;
  queued = 0;
  /** Publishes written, resends included; of those, `resent` went out again after their connection was lost (no PUBACK came). */
  sent = 0;
  resent = 0;
  acked = 0;
  readingsAcked = 0;
  /** Messages that will not be acknowledged, by reason; errors of connections by kind. */
  readonly failed = new Map<FailureReason, number>();
  readonly errors = new Map<string, ErrorKind>();
  /** Called on the first error of each kind, so a failing fleet says why while it retries. */
  onNewError: ((message: string, thingName: string) => void) | undefined;
  /** Publish-to-PUBACK times of the last interval (ms). */
  ackTimes: number[] = [];

  fail(reason: FailureReason, count = 1): void {
    this.failed.set(reason, (this.failed.get(reason) ?? 0) + count);
  }

  error(message: string, thingName: string, connecting: boolean): void {
    // Group by the message without its variable parts (ids, numbers).
    const key = message.replace(/\d+/g, 'N').slice(0, 80);
    const kind = this.errors.get(key);
    if (kind) {
      kind.count += 1;
      if (connecting) kind.connecting += 1;
      return;
    }
    this.errors.set(key, { count: 1, connecting: connecting ? 1 : 0, example: message });
    this.onNewError?.(message, thingName);
  }

  /** The error kind that failed the most connects, if any did. */
  get mostFrequentConnectError(): ErrorKind | undefined {
    let most: ErrorKind | undefined;
    for (const kind of this.errors.values()) if (kind.connecting > 0 && kind.connecting > (most?.connecting ?? 0)) most = kind;
    return most;
  }

  get errorCount(): number {
    let total = 0;
    for (const kind of this.errors.values()) total += kind.count;
    return total;
  }

  get failedCount(): number {
    let total = 0;
    for (const count of this.failed.values()) total += count;
    return total;
  }
}
