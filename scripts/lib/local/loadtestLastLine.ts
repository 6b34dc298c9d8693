import type { LoadtestOutcome } from './loadtestVerdict';

/** A latency of the last line: whole ms, or `-` when there was no sample (never NaN). */
const ms = (value: number): string => (Number.isFinite(value) ? String(Math.round(value)) : '-');

/** The last line, exactly as docs/local.md gives it. */
export function loadtestLastLine(o: LoadtestOutcome): string {
  return (
    `loadtest: ${o.devices} devices, ${o.connected} connected, ${o.readingsAcked} readings acked; stored ${o.stored}, quarantined ${o.quarantined}, dead-lettered ${o.deadLettered}; ` +
    `missing ${o.missing}, duplicates ${o.duplicates}; alerts ${o.alertsOnFaulty} for ${o.faultyAssets} faulty assets, ${o.alertsOnHealthy} on healthy; e2e p50 ${ms(o.e2eP50Ms)} ms, p99 ${ms(o.e2eP99Ms)} ms`
  );
}
