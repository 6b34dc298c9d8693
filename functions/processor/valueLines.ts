import type { EpisodeOrigin } from './types';

/** The values block of a message's text, saying how many metrics were left out. */
export function valueLines(origin: EpisodeOrigin): string[] {
  const lines = ['Values:'];
  for (const [metric, v] of Object.entries(origin.values)) {
    lines.push(`  ${metric} = ${v.value}${v.unit === undefined ? '' : ` ${v.unit}`}${v.quality === 'GOOD' ? '' : ` (${v.quality})`}`);
  }
  if (origin.valuesOmitted !== undefined) lines.push(`  and ${origin.valuesOmitted} more metrics (see the dashboard)`);
  return lines;
}
