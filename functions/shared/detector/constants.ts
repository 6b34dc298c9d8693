/**
 * Defaults and bounds of the detector. The defaults were chosen by measurement on the SKAB
 * benchmark (docs/detection.md has the table); the bounds reject settings that make the model
 * meaningless.
 */

/** Version written into every persisted state; bump it when the state layout changes. */
export const DETECTOR_STATE_VERSION = 2 as const;

export const DETECTOR_DEFAULTS = {
  warmupSamples: 400,
  cooldownSeconds: 900,
  scoreSmoothing: 0.1,
  thresholdFactor: 2,
  closeRatio: 0.7,
  maxAutoregression: 0.9,
  driftHalfLifeSamples: 100,
} as const;

export const DETECTOR_SETTING_BOUNDS = {
  /** Fewer samples cannot estimate the moments of a handful of metrics. */
  minWarmupSamples: 10,
  /** A week at 1 Hz; a longer warm-up only delays judging. */
  maxWarmupSamples: 604_800,
  /** A week. */
  maxCooldownSeconds: 604_800,
} as const;

/** Fixed internals: changing one needs a new benchmark run, not a config edit. */
export const DETECTOR_INTERNALS = {
  /**
   * Share of the warm-up after which a provisional model judges the rest of the warm-up, so the
   * spread of the smoothed vector is measured out of sample (as the judged samples will be).
   */
  calibrationStartShare: 0.1,
  /** The provisional model is refitted from the running moments every this many samples. */
  calibrationRefitInterval: 25,
  /** Shrinkage of the smoothed vector's covariance toward its diagonal (few effective samples). */
  covarianceShrinkage: 0.3,
  /** A metric needs this many usable readings in the warm-up to join the model. */
  minMetricSamples: 10,
  /** A scale below this share of the metric's typical magnitude counts as constant. */
  relativeScaleFloor: 1e-3,
  /** Absolute floor of a scale, for metrics whose warm-up level is zero. */
  absoluteScaleFloor: 1e-9,
  /**
   * Readings beyond this magnitude are kept from the model like BAD ones (limits still see
   * them): their squares would swamp the running sums, and no plausible reading gets there.
   */
  maxModelMagnitude: 1e15,
  /** Drift adaptation pauses while the score is above this share of the threshold (below the default closeRatio 0.7). */
  driftFreezeRatio: 0.6,
  /** A metric repeating one exact value for this many times its longest warm-up run is stuck... */
  stuckRunFactor: 3,
  /** ...and never for fewer samples than this. */
  minStuckRun: 30,
  /** Number of metrics named as contributors of a verdict. */
  maxContributors: 3,
  /** A metric contributes when its smoothed deviation is beyond this many of its own standard deviations. */
  minContribution: 2,
} as const;

/** Standard normal quantile of 0.999: the score's control limit sits at a 0.1% tail. */
export const NORMAL_QUANTILE_999 = 3.090232306167813;
