import type { PublishedMessage } from './FakeAwsServer';
import type { LoadtestPlan } from './planLoadtest';

/** The load test's detection account: anomaly episodes alerted on faulty and on healthy assets. */
export interface AlertCounts {
  /** Episodes alerted on assets with a detectable fault. */
  readonly onFaulty: number;
  /** Episodes alerted on every other asset. */
  readonly onHealthy: number;
  /** Faulty assets with at least one episode. */
  readonly detected: number;
  readonly healthyAssets: readonly string[];
  /** Faulty assets without an episode, each with its faults (`pump-00627 (spike)`). */
  readonly missed: readonly string[];
}

/** Counts the anomaly alerts published during a load test (one per episode id) against the plan's faults. */
export function alertCounts(alerts: readonly PublishedMessage[], plan: Pick<LoadtestPlan, 'faultyAssets' | 'fleet'>): AlertCounts {
  const episodes = new Map<string, string>();
  for (const alert of alerts) if (alert.attributes.eventType === 'anomaly') episodes.set(alert.attributes.episodeId ?? '', alert.attributes.assetId ?? '');
  let onFaulty = 0;
  let onHealthy = 0;
  const detected = new Set<string>();
  const healthyAssets: string[] = [];
  for (const asset of episodes.values()) {
    if (plan.faultyAssets.has(asset)) {
      onFaulty += 1;
      detected.add(asset);
    } else {
      onHealthy += 1;
      healthyAssets.push(asset);
    }
  }
  const missed = [...plan.faultyAssets]
    .filter((asset) => !detected.has(asset))
    .map((asset) => `${asset} (${plan.fleet.faults.filter((f) => f.assetId === asset).map((f) => f.kind).join(', ')})`);
  return { onFaulty, onHealthy, detected: detected.size, healthyAssets, missed };
}
