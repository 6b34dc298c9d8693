import type { AnomalyAlert } from './types';
import { valueLines } from './valueLines';

/** The human text of an alert (e-mail subscriptions get this, machine subscribers the JSON). */
export function alertText(alert: AnomalyAlert, dashboardUrl: string): string {
  const lines = [
    `Anomaly on asset ${alert.assetId} (plant ${alert.plantId}, line ${alert.lineId}, thing ${alert.thingName})`,
    `Started: ${new Date(alert.startedAt).toISOString()}`,
    // An episode that began inside the alert cooldown alerts when the cooldown ends: say when, and why so late.
    ...(alert.detectedAt > alert.startedAt ? [`Still anomalous at: ${new Date(alert.detectedAt).toISOString()} (it began within the alert cooldown after the previous episode ended)`] : []),
    `Score: ${alert.score.toFixed(3)}${alert.threshold === null ? '' : ` (threshold ${alert.threshold.toFixed(3)})`}`,
  ];
  if (alert.limitBreaches.length > 0) lines.push(`Outside configured limits: ${alert.limitBreaches.join(', ')}`);
  if (alert.contributors.length > 0) lines.push(`Main contributors: ${alert.contributors.join(', ')}`);
  lines.push(...valueLines(alert), `Episode: ${alert.episodeId}`, `Dashboard: ${dashboardUrl}`);
  return lines.join('\n');
}
