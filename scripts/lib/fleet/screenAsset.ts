import { LIMITS } from '../../../functions/shared/constants';
import { AssetDetector, type DetectorSettings, type SampleValue } from '../../../functions/shared/detector';
import { DETECTABLE_FAULTS, type AssetType } from './constants';
import { planMessage } from './planMessage';
import { SignalGenerator } from './SignalGenerator';
import type { FaultSpec } from './types';

export interface Screening {
  /** Sample index of the first alert, if any. */
  readonly firstAlert: number | undefined;
  /** Sample index from which the asset's first detectable fault acts (Infinity without one). */
  readonly faultFrom: number;
  /** Highest score before the fault (the whole run without one, up to the first alert), as a share of the threshold (0 while warming up). */
  readonly peakShare: number;
}

/**
 * Runs the production detector over exactly the samples the processor will judge for one device of a load
 * test (same seed, faults, message plan; samples of garbage or oversized messages and of quarantined skewed
 * messages left out, BAD readings marked). The load test uses it to give healthy assets seeds the detector
 * itself finds normal — the detector's own false-alarm rate (~0.1% of assets per few hundred samples on
 * Gaussian data, see docs/local.md) is a property of its settings, measured by `npm run bench:skab`; the load
 * test is about the pipeline reproducing the detector's verdicts — and to check a faulty asset's fault is
 * detectable within the run.
 */
export function screenAsset(
  assetType: AssetType,
  seed: number,
  faults: readonly FaultSpec[],
  settings: DetectorSettings,
  plan: { readonly rate: number; readonly samplesPerMessage: number; readonly messages: number },
): Screening {
  const samplesPerSecond = plan.rate * plan.samplesPerMessage;
  const signal = new SignalGenerator(assetType, seed, faults, samplesPerSecond);
  const detector = new AssetDetector(settings);
  const detectable = faults.filter((f) => DETECTABLE_FAULTS.includes(f.kind));
  const faultFrom = detectable.length === 0 ? Infinity : Math.min(...detectable.map((f) => Math.ceil(f.atSeconds * samplesPerSecond)));
  const base = 1_700_000_000_000;
  let index = 0;
  let peakShare = 0;
  for (let m = 0; m < plan.messages; m += 1) {
    const lost = planMessage(m, faults, plan.rate) !== undefined;
    for (let j = 0; j < plan.samplesPerMessage; j += 1, index += 1) {
      const ts = base + Math.round((index * 1000) / samplesPerSecond);
      const readings = signal.sample(index, ts);
      // Skew beyond the contract's window (LIMITS.maxTimestampAheadMs) is quarantined, not judged.
      if (lost || signal.clockOffset(index) > LIMITS.maxTimestampAheadMs) continue;
      const values: Record<string, SampleValue> = {};
      for (const reading of readings) values[reading.metric] = { value: reading.value, quality: reading.quality ?? 'GOOD' };
      const verdict = detector.observe({ ts, values });
      if (index < faultFrom && Number.isFinite(verdict.threshold)) peakShare = Math.max(peakShare, verdict.score / verdict.threshold);
      if (verdict.episode.alert) return { firstAlert: index, faultFrom, peakShare };
    }
  }
  return { firstAlert: undefined, faultFrom, peakShare };
}
