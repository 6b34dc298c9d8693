import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Deadline } from '../../functions/shared/Deadline';
import type { QuarantineEntry, QuarantineSink } from '../../functions/shared/QuarantineWriter';

/** A deadline with a fixed amount of time left (no margin). */
export function deadlineWith(remainingMs = 60_000): Deadline {
  return new Deadline({ getRemainingTimeInMillis: () => remainingMs }, 0);
}

export function silentLogger(): Logger {
  return new Logger({ logLevel: 'SILENT' });
}

/** Real Powertools Metrics whose values are captured instead of printed as EMF. */
export function capturingMetrics(): { metrics: Metrics; values: Map<string, number[]>; total: (name: string) => number } {
  const metrics = new Metrics({ namespace: 'PlantTelemetry/test', serviceName: 'test' });
  const values = new Map<string, number[]>();
  jest.spyOn(metrics, 'addMetric').mockImplementation((name: string, _unit, value: number) => {
    values.set(name, [...(values.get(name) ?? []), value]);
    return metrics;
  });
  jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
  return { metrics, values, total: (name) => (values.get(name) ?? []).reduce((a, b) => a + b, 0) };
}

/** Quarantine sink that keeps entries in memory and can be told to fail. */
export class MemoryQuarantine implements QuarantineSink {
  readonly entries: QuarantineEntry[] = [];
  failWith: Error | undefined;

  async write(entry: QuarantineEntry): Promise<string> {
    if (this.failWith) throw this.failWith;
    this.entries.push(entry);
    return `quarantine/test/${entry.origin.sequenceNumber}${entry.part ? `-${entry.part}` : ''}.json`;
  }
}

/** An error shaped like the SDK's, for classification and retry tests. */
export function sdkError(name: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} (injected)`), { name, $metadata: { httpStatusCode: status }, ...extra });
}
