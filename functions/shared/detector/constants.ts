/**
 * Defaults and bounds of the detector. The defaults were chosen by measurement on the SKAB
 * benchmark (docs/detection.md has the table); the bounds reject settings that make the model
 * meaningless.
 */

/** Version written into every persisted state; bump it when the state layout changes. */
export const DETECTOR_STATE_VERSION = 5 as const;
/** The layout before the metrics' drift was measured (no `trend`, `velocity` or `crept`), upgraded on restore. */
export const DETECTOR_STATE_VERSION_WITHOUT_WANDER = 4 as const;
/** The layout before the warm-up's start was recorded (`learningSince`), upgraded on restore. */
export const DETECTOR_STATE_VERSION_WITHOUT_LEARNING_SINCE = 3 as const;
/** The layout before episode ends were recorded (it also lacks `learningSince`), upgraded on restore. */
export const DETECTOR_STATE_VERSION_WITHOUT_EPISODE_ENDS = 2 as const;
/** Earlier layouts a restore upgrades, so a deploy keeps every asset's model. */
export const DETECTOR_STATE_UPGRADABLE_VERSIONS = [
  DETECTOR_STATE_VERSION_WITHOUT_EPISODE_ENDS,
  DETECTOR_STATE_VERSION_WITHOUT_LEARNING_SINCE,
  DETECTOR_STATE_VERSION_WITHOUT_WANDER,
] as const;

/**
 * Most metrics one asset's model takes: the first this many seen in its warm-up; later ones are
 * checked against their limits only. The state grows with the square of the number of metrics (the
 * covariance): at 64 a checkpoint peaks at about 70 KB, far inside DynamoDB's 400 KB item (180
 * metrics would exceed it and fail the batch write of every asset sharing its chunk), and a score
 * over more metrics than that from a warm-up of a few hundred samples would be mostly noise.
 */
export const MAX_MODEL_METRICS = 64;

export const DETECTOR_DEFAULTS = {
  warmupSamples: 400,
  cooldownSeconds: 900,
  scoreSmoothing: 0.1,
  thresholdFactor: 2,
  closeRatio: 0.7,
  maxAutoregression: 0.9,
  driftHalfLifeSamples: 100,
  recoverySamples: 45,
  maxRebaselineShift: 3,
  episodeDriftFactor: 8,
} as const;

/**
 * The one schema of the detection settings: the `detection` block of `config/<env>.yaml`, the
 * processor's DETECTOR_CONFIG and replay's `--settings` are all checked against it, so what is
 * tuned in replay deploys as is. `integer` settings are whole numbers; `minExclusive` and
 * `maxExclusive` make that bound open.
 */
export const DETECTION_SETTING_RULES = {
  /** Fewer samples cannot estimate the moments of a handful of metrics; a week at 1 Hz is plenty. */
  warmupSamples: { integer: true, min: 10, max: 604_800 },
  /** Up to a week. */
  cooldownSeconds: { integer: false, min: 0, max: 604_800 },
  /** The processor's rewrite of an unchanged asset status (not a detector setting); its STATUS_HEARTBEAT_SECONDS reader uses these bounds too. */
  statusHeartbeatSeconds: { integer: true, min: 10, max: 86_400 },
  /** Below 0.001 (a half-life of about 700 samples) the white-noise variance λ/(2 − λ) underflows toward 0 and the score is meaningless. */
  scoreSmoothing: { integer: false, min: 0.001, max: 1 },
  thresholdFactor: { integer: false, min: 0, max: 100, minExclusive: true },
  closeRatio: { integer: false, min: 0, max: 1, minExclusive: true },
  maxAutoregression: { integer: false, min: 0, max: 1, maxExclusive: true },
  driftHalfLifeSamples: { integer: false, min: 0, max: 604_800, note: '0 disables drift adaptation' },
  recoverySamples: { integer: true, min: 1, max: 86_400 },
  maxRebaselineShift: { integer: false, min: 0, max: 100, note: '0 disables re-baselining' },
  episodeDriftFactor: { integer: false, min: 0, max: 1000, note: '0 freezes deviating metrics during an episode' },
} as const;

/** Default of statusHeartbeatSeconds, in the schema and the processor's STATUS_HEARTBEAT_SECONDS: an unchanged status is refreshed once a minute. */
export const DEFAULT_STATUS_HEARTBEAT_SECONDS = 60;

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
  /**
   * A metric absent for this many times the longest gap between its readings in the warm-up (and at
   * least `recoverySamples` samples) has stopped reporting: its smoothed residual is forgotten.
   */
  staleGapFactor: 3,
  /** The warm-up waits for every metric to have `minMetricSamples` readings up to this many times `warmupSamples`. */
  maxWarmupExtension: 2,
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
  /**
   * The fault's signature is gone once the smoothed vector keeps less than this share of its
   * projection on the vector at the episode's peak (about 7 samples after a step ends, at λ 0.1).
   */
  signatureGoneShare: 0.5,
  /**
   * Once samples without the signature are being counted, one restarts the count only when the
   * smoothed vector is back to at least this share: a slow metric that stays about half way (a
   * temperature recovering after a valve fault) kept the share flickering about 0.5, and each flicker
   * restarted the `recoverySamples` count (SKAB valve2/0: flagged 162 rows past its label, now 118).
   */
  signatureReturnShare: 0.55,
  /**
   * A re-baseline waits until every metric has settled at the episode's level: its smoothed
   * residual within this many of its own standard deviations of the residual that level would
   * show. A metric still in transit (vibration decaying after an imbalance is removed) would be
   * re-baselined on a level it is leaving, and the episode would reopen as a second alarm.
   */
  settledDeviation: 3,
  /** Half-life of the per-metric level followed during an episode, as a share of `recoverySamples`. */
  episodeLevelHalfLifeShare: 0.3,
  /**
   * While the asset is not quiet (an episode is open or the score is above the freeze level), a
   * metric whose smoothed deviation is within this many of its own standard deviations (a
   * bystander, not part of the fault) still follows drift.
   */
  bystanderDeviation: 3,
  /**
   * Half-life, in samples, of the trend that follows each mean while the asset is quiet: under a
   * steady drift the mean leads it by the drift's velocity over the trend's weight, whatever the speed.
   */
  trendHalfLifeSamples: 300,
  /**
   * Half-life, in samples, of the average of that velocity (signed): half an hour at 1 Hz, so the
   * jitter of a metric that does not drift averages out near zero, and a fault's short ramp before
   * its episode opens weighs little against the plant's drift over the last hour.
   */
  velocityHalfLifeSamples: 1800,
  /**
   * Slowest drift a deviating metric follows, in residual standard deviations per 1,000 samples
   * (0.36 an hour at 1 Hz). Right after the warm-up the means still settle, and the trend reads that
   * as a faint velocity even on a metric that does not drift: followed for hours, it would learn a
   * persistent fault away. A pump warming up drifts several per hour.
   */
  minFollowedDrift: 0.1,
  /** A close names a metric among those that followed their drift once the shift reaches this many residual standard deviations (less is jitter). */
  reportedDriftShift: 0.5,
} as const;

/** Standard normal quantile of 0.999: the score's control limit sits at a 0.1% tail. */
export const NORMAL_QUANTILE_999 = 3.090232306167813;
