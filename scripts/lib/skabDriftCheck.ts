/**
 * False-alarm proxy on SKAB's anomaly-free recording: cuts it into consecutive chunks, replays
 * each chunk with a fresh detector and the benchmark's warm-up, and reports the share of the
 * judged (non-warm-up) rows that are flagged. Every flag there is a false alarm.
 *
 *   npx tsx scripts/lib/skabDriftCheck.ts FILE [--chunk N]... [--settings FILE.json]
 *
 * Without --chunk it reports the chunk lengths of SKAB_DRIFT_CHUNK_ROWS.
 */
import type { DetectorSettings } from '../../functions/shared/detector';
import { driftCheck } from './driftCheck';
import { DRIFT_CHECK_USAGE, parseDriftCheckArgs, type DriftCheckOptions } from './parseDriftCheckArgs';
import { readReplayFile } from './readReplayFile';
import { readReplaySettings } from './replaySettings';
import { SKAB_WARMUP_ROWS } from './skabScore';
import { runStudyCli } from './runStudyCli';

function main(): void {
  let options: DriftCheckOptions | 'help';
  try {
    options = parseDriftCheckArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`skabDriftCheck: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(`${DRIFT_CHECK_USAGE}\n`);
    return;
  }
  const settings: DetectorSettings = options.settingsFile === undefined ? {} : readReplaySettings(options.settingsFile);
  const file = readReplayFile(options.path, 'skab');
  for (const rows of options.chunkRows) {
    const result = driftCheck(file, rows, settings);
    const chunks = result.perChunk.map((share) => `${Math.round(share * 100)}`).join(' ');
    process.stdout.write(
      `chunks of ${rows} rows (${result.chunks}, ${SKAB_WARMUP_ROWS} warm-up): flagged ${(result.share * 100).toFixed(1)}% of ${result.judged} judged rows; per chunk % ${chunks}\n`,
    );
  }
}

if (require.main === module) runStudyCli('skabDriftCheck', main);
