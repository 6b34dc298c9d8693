import type { LoadtestOutcome } from './loadtestVerdict';

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
