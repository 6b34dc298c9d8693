import type { HotTierAudit } from './auditHotTier';

/** What the load test's last line reports, and what decides its exit code. */
export interface LoadtestOutcome extends Pick<HotTierAudit, 'readingsAcked' | 'stored' | 'quarantined' | 'deadLettered' | 'missing' | 'duplicates'> {
  readonly devices: number;
  /** Most connections open at once. */
  readonly connected: number;
  readonly alertsOnFaulty: number;
  readonly faultyAssets: number;
  readonly alertsOnHealthy: number;
  /** Processor path p50/p99 over the run; NaN when the processor judged nothing. */
  readonly e2eP50Ms: number;
  readonly e2eP99Ms: number;
  /** Exit code of the fleet child (`npm run simulate`). */
  readonly fleetExitCode: number;
}

/** A latency of the last line: whole ms, or `-` when there was no sample (never NaN). */
const ms = (value: number): string => (Number.isFinite(value) ? String(Math.round(value)) : '-');

/** The last line, exactly as docs/local.md gives it. */
export function loadtestLastLine(o: LoadtestOutcome): string {
  return (
    `loadtest: ${o.devices} devices, ${o.connected} connected, ${o.readingsAcked} readings acked; stored ${o.stored}, quarantined ${o.quarantined}, dead-lettered ${o.deadLettered}; ` +
    `missing ${o.missing}, duplicates ${o.duplicates}; alerts ${o.alertsOnFaulty} for ${o.faultyAssets} faulty assets, ${o.alertsOnHealthy} on healthy; e2e p50 ${ms(o.e2eP50Ms)} ms, p99 ${ms(o.e2eP99Ms)} ms`
  );
}

/**
 * Why the run failed, empty when it passed. Nothing missing proves nothing when nothing was acknowledged, so
 * a fleet that failed, connected only in part or got no reading through fails the run as a lost reading does.
 */
export function loadtestFailures(o: LoadtestOutcome): string[] {
  const failures: string[] = [];
  if (o.fleetExitCode !== 0) failures.push(`the fleet (npm run simulate) exited ${o.fleetExitCode}`);
  if (o.connected < o.devices) failures.push(`${o.connected} of ${o.devices} devices connected`);
  if (o.readingsAcked === 0) failures.push('no reading was acknowledged');
  if (o.missing > 0) failures.push(`${o.missing} acknowledged readings missing`);
  if (o.duplicates > 0) failures.push(`${o.duplicates} readings stored twice`);
  if (o.alertsOnHealthy > 0) failures.push(`${o.alertsOnHealthy} alerts on healthy assets`);
  return failures;
}
