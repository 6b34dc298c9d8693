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
