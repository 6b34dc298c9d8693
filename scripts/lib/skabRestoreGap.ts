/**
 * What a cold start costs the detector on real data. The processor checkpoints an asset every
 * CHECKPOINT_INTERVAL_SECONDS and at once after a sample that opened or closed an episode or completed the warm-up; a container
 * that takes over restores the last checkpoint, so the samples judged since it (at most the interval)
 * are lost to learning, not to judging. This replays each file once uninterrupted and, at restore
 * points every `every` rows, once more from the checkpoint `gap` rows back, and compares the flags of
 * the next `horizon` rows: episodes the restored detector opens that the uninterrupted one did not
 * (false alerts a restore causes), episodes it misses, and rows flagged differently.
 *
 *   npx tsx scripts/lib/skabRestoreGap.ts [--gap ROWS] [--every ROWS] [--horizon ROWS] [--settings FILE] FILE...
 */
import { parseArgs } from 'node:util';
import { AssetDetector, type AssetDetectorState, type DetectorSettings } from '../../functions/shared/detector';
import { readReplayFile, type ReplayFile } from './readReplayFile';
import { readReplaySettings } from './replaySettings';
import { refuseRepeatedFlags } from './refuseRepeatedFlags';
import { SKAB_WARMUP_ROWS } from './skabScore';

export interface RestoreGapResult {
  readonly restores: number;
  /** Restores after which the restored detector opened more episodes within the horizon. */
  readonly restoresWithExtraEpisodes: number;
  readonly extraEpisodes: number;
  readonly missedEpisodes: number;
  readonly extraFlaggedRows: number;
  readonly lostFlaggedRows: number;
}

export interface RestoreGapOptions {
  /** Rows between the checkpoint and the row the restored detector resumes at (the interval at 1 Hz). */
  readonly gap: number;
  /** Rows between restore points. */
  readonly every: number;
  /** Rows compared after each restore. */
  readonly horizon: number;
  readonly settings: DetectorSettings;
}

/** One file: a fresh detector per asset is not needed here (SKAB files hold one asset). */
export function restoreGapStudy(file: ReplayFile, options: RestoreGapOptions): RestoreGapResult {
  const { gap, every, horizon, settings } = options;
  const samples = file.samples.map(({ sample }) => sample);
  const uninterrupted = new AssetDetector(settings);
  const stateBefore: AssetDetectorState[] = [];
  const flagged: boolean[] = [];
  const opened: boolean[] = [];
  /** After this row the processor checkpoints at once: an episode opened or closed, an alert went out (a late one too), or the warm-up completed. */
  const forcedCheckpoint: boolean[] = [];
  for (const sample of samples) {
    stateBefore.push(uninterrupted.toState());
    const warmingUp = uninterrupted.warmingUp;
    const verdict = uninterrupted.observe(sample);
    flagged.push(verdict.anomalous);
    opened.push(verdict.episode.event === 'open');
    forcedCheckpoint.push(verdict.episode.event === 'open' || verdict.episode.event === 'close' || verdict.episode.alert || (warmingUp && !uninterrupted.warmingUp));
  }
  let restores = 0;
  let restoresWithExtraEpisodes = 0;
  let extraEpisodes = 0;
  let missedEpisodes = 0;
  let extraFlaggedRows = 0;
  let lostFlaggedRows = 0;
  const warmup = settings.warmupSamples ?? SKAB_WARMUP_ROWS;
  for (let checkpoint = Math.max(0, warmup - gap); checkpoint + gap < samples.length; checkpoint += every) {
    const resume = checkpoint + gap;
    // An episode event or the warm-up's end in the gap was checkpointed right after it.
    let from = checkpoint;
    for (let row = checkpoint; row < resume; row++) if (forcedCheckpoint[row]) from = row + 1;
    const restored = AssetDetector.fromState(stateBefore[from] as AssetDetectorState, settings);
    let episodeBalance = 0;
    for (let row = resume; row < Math.min(samples.length, resume + horizon); row++) {
      const verdict = restored.observe(samples[row] as (typeof samples)[number]);
      if (verdict.episode.event === 'open') episodeBalance += 1;
      if (opened[row]) episodeBalance -= 1;
      if (verdict.anomalous && !flagged[row]) extraFlaggedRows += 1;
      if (!verdict.anomalous && flagged[row]) lostFlaggedRows += 1;
    }
    restores += 1;
    if (episodeBalance > 0) {
      restoresWithExtraEpisodes += 1;
      extraEpisodes += episodeBalance;
    } else missedEpisodes -= episodeBalance;
  }
  return { restores, restoresWithExtraEpisodes, extraEpisodes, missedEpisodes, extraFlaggedRows, lostFlaggedRows };
}

function wholeNumber(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`--${flag} must be a whole number of rows, got "${text}"`);
  return Number(text);
}

function main(): void {
  const flags = { gap: { type: 'string' }, every: { type: 'string' }, horizon: { type: 'string' }, settings: { type: 'string' } } as const;
  const { values, positionals: files, tokens } = parseArgs({ options: flags, allowPositionals: true, tokens: true });
  refuseRepeatedFlags(tokens, flags, (message) => new Error(message));
  if (files.length === 0) throw new Error('usage: npx tsx scripts/lib/skabRestoreGap.ts [--gap ROWS] [--every ROWS] [--horizon ROWS] [--settings FILE] FILE...');
  const options: RestoreGapOptions = {
    gap: wholeNumber('gap', values.gap, 60),
    every: Math.max(1, wholeNumber('every', values.every, 25)),
    horizon: wholeNumber('horizon', values.horizon, 600),
    settings: { ...(values.settings === undefined ? {} : readReplaySettings(values.settings)), warmupSamples: SKAB_WARMUP_ROWS },
  };
  const total = { restores: 0, restoresWithExtraEpisodes: 0, extraEpisodes: 0, missedEpisodes: 0, extraFlaggedRows: 0, lostFlaggedRows: 0 };
  for (const path of files) {
    const result = restoreGapStudy(readReplayFile(path, 'skab'), options);
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += result[key];
  }
  const share = total.restores === 0 ? 0 : (100 * total.restoresWithExtraEpisodes) / total.restores;
  process.stdout.write(
    `gap ${options.gap} rows, a restore every ${options.every}, ${options.horizon} rows compared: ${total.restores} restores, ` +
      `${total.restoresWithExtraEpisodes} with an extra episode (${share.toFixed(1)}%), ${total.extraEpisodes} extra and ${total.missedEpisodes} missed episodes, ` +
      `${total.extraFlaggedRows} rows flagged more and ${total.lostFlaggedRows} less\n`,
  );
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`skabRestoreGap: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}
