/** Runs a parsed file through the production detector: a fresh detector per file and asset. */
import { AssetDetector, detectorPart, type Verdict } from '../../functions/shared/detector';
import type { ReplayFile } from './readReplayFile';
import type { ReplaySettings } from './replaySettings';

export interface ReplayResult {
  readonly file: ReplayFile;
  readonly anomalous: Uint8Array;
  readonly scores: Float64Array;
  /** Infinity while warming up. */
  readonly thresholds: Float64Array;
  readonly warmingUp: Uint8Array;
  /** Contributors of the samples that opened an episode (index → names), for the plot. */
  readonly openings: ReadonlyMap<number, readonly string[]>;
}

/** Replays `file`; an asset named in `settings.acknowledge` or `settings.relearn` gets that request, as the processor gives it. */
export function replayFile(file: ReplayFile, settings: ReplaySettings, onVerdict?: (index: number, verdict: Verdict) => void): ReplayResult {
  const { acknowledge = {}, relearn = {} } = settings;
  const detectorSettings = detectorPart(settings);
  const count = file.samples.length;
  const result = {
    file,
    anomalous: new Uint8Array(count),
    scores: new Float64Array(count),
    thresholds: new Float64Array(count),
    warmingUp: new Uint8Array(count),
    openings: new Map<number, readonly string[]>(),
  };
  const detectors = new Map<string, AssetDetector>();
  file.samples.forEach(({ asset, sample }, index) => {
    let detector = detectors.get(asset);
    if (detector === undefined) {
      detector = new AssetDetector(detectorSettings);
      if (Object.hasOwn(acknowledge, asset)) detector.acknowledge(Date.parse(acknowledge[asset]));
      if (Object.hasOwn(relearn, asset)) detector.relearn(Date.parse(relearn[asset]));
      detectors.set(asset, detector);
    }
    const verdict = detector.observe(sample);
    result.anomalous[index] = verdict.anomalous ? 1 : 0;
    result.scores[index] = verdict.score;
    result.thresholds[index] = verdict.threshold;
    result.warmingUp[index] = verdict.warmingUp ? 1 : 0;
    if (verdict.episode.event === 'open') result.openings.set(index, verdict.contributors);
    onVerdict?.(index, verdict);
  });
  return result;
}
