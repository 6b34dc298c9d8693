/**
 * Onset delay of the detector on SKAB files: for every 0→1 transition of the `anomaly` label after
 * the warm-up, the seconds from the labelled onset to the first flag at or after it while the
 * label is still 1. A span without any flag is a miss, counted apart (a delay would be undefined).
 *
 *   npx tsx scripts/lib/skabOnset.ts DIR [--settings FILE.json]
 *
 * prints the per-file delays and the pooled median and p90 (what bench:skab prints too).
 */
import { parseArgs } from 'node:util';
import type { DetectorSettings } from '../../functions/shared/detector';
import { formatOnset } from './formatOnset';
import { readReplaySettings } from './replaySettings';
import { refuseRepeatedFlags } from './refuseRepeatedFlags';
import { ReplayUsageError } from './replayErrors';
import { runStudyCli } from './runStudyCli';
import { skabOnsets } from './skabOnsets';
import { sumOnsetOutcomes } from './sumOnsetOutcomes';

const SKAB_ONSET_USAGE = 'usage: tsx scripts/lib/skabOnset.ts DIR [--settings FILE.json]';

function main(): void {
  const flags = { settings: { type: 'string' } } as const;
  const parsed = parseArgs({ args: process.argv.slice(2), options: flags, allowPositionals: true, strict: true, tokens: true });
  refuseRepeatedFlags(parsed.tokens, flags, (message) => new ReplayUsageError(message));
  const [dir] = parsed.positionals;
  if (dir === undefined || parsed.positionals.length > 1) throw new ReplayUsageError(`one DIR, got ${parsed.positionals.length}; ${SKAB_ONSET_USAGE}`);
  const settings: DetectorSettings = parsed.values.settings === undefined ? {} : readReplaySettings(parsed.values.settings);
  const files = skabOnsets(dir, settings);
  const width = Math.max(6, ...files.map((file) => file.name.length));
  for (const file of files) process.stdout.write(`${file.name.padEnd(width)} ${formatOnset(file.onset)}\n`);
  process.stdout.write(`${'pooled'.padEnd(width)} ${formatOnset(sumOnsetOutcomes(files.map((file) => file.onset)))}\n`);
}

if (require.main === module) runStudyCli('skabOnset', main);
