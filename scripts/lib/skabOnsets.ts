import { relative } from 'node:path';
import type { DetectorSettings } from '../../functions/shared/detector';
import { listCsvFiles } from './listCsvFiles';
import { onsetOutcome, type OnsetOutcome } from './onsetOutcome';
import { readReplayFile } from './readReplayFile';
import { replayFile } from './replayRun';
import { SKAB_WARMUP_ROWS } from './skabScore';

/** Replays every labelled file under `dir` like bench:skab and returns each file's onsets. */
export function skabOnsets(dir: string, settings: DetectorSettings = {}): { readonly name: string; readonly onset: OnsetOutcome }[] {
  return listCsvFiles(dir).flatMap((path) => {
    const input = readReplayFile(path, 'skab');
    if (!input.labelled) return [];
    const result = replayFile(input, { ...settings, warmupSamples: SKAB_WARMUP_ROWS });
    const labels = input.samples.map((entry) => entry.label ?? 0);
    const times = input.samples.map((entry) => entry.sample.ts);
    return [{ name: relative(dir, path), onset: onsetOutcome(times, labels, result.anomalous) }];
  });
}
