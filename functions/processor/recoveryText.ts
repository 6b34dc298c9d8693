import type { EpisodeRecovery } from './types';
import { valueLines } from './valueLines';

/** The human text of a recovery. */
export function recoveryText(recovery: EpisodeRecovery, dashboardUrl: string): string {
  const lines = [
    `Recovered: asset ${recovery.assetId} (plant ${recovery.plantId}, line ${recovery.lineId}, thing ${recovery.thingName})`,
    `Started: ${new Date(recovery.startedAt).toISOString()}`,
    `Ended: ${new Date(recovery.endedAt).toISOString()}`,
    `Peak score: ${recovery.peakScore.toFixed(3)}`,
  ];
  if (recovery.relearned) {
    lines.push('An operator asked the detector to relearn the asset (config detection.relearn): it is warming up on the current operating point again, and until it has only the configured limits are checked.');
  } else if (recovery.acknowledged) {
    lines.push(`An operator acknowledged the episode (config detection.acknowledge); the detector ${recovery.rebaselined ? 're-baselined on the current operating point' : 'closed it'}.`);
  } else if (recovery.rebaselined) {
    lines.push('The process settled at a new operating point; the detector re-baselined on it.');
  }
  const followed = recovery.followedDrift ?? [];
  if (followed.length > 0) {
    const metrics = followed.map(({ metric, shift }) => `${metric} (${shift.toFixed(1)} residual standard deviations)`).join(', ');
    lines.push(`During the episode the detector followed the drift these metrics showed before it: ${metrics}; check that the fault itself is gone.`);
  }
  lines.push(...valueLines(recovery), `Episode: ${recovery.episodeId}`, `Dashboard: ${dashboardUrl}`);
  return lines.join('\n');
}
