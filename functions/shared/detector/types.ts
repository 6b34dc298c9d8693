/**
 * Public types of the streaming anomaly detector. The processor Lambda and the replay tool code
 * against these; keep them stable and version the persisted state (`AssetDetectorState.version`).
 */

/** OPC UA style reading quality; BAD readings never reach the statistical model. */
export type Quality = 'GOOD' | 'UNCERTAIN' | 'BAD';

/** Configured hard limits of one metric (inclusive bounds; a value equal to a bound is fine). */
export interface MetricLimit {
  readonly min?: number;
  readonly max?: number;
}

export interface DetectorSettings {
  /**
   * Samples an asset needs before it is judged by the statistical layers: the first tenth fits a
   * provisional model, the rest measures how far the smoothed vector strays out of sample; the
   * final model is fitted on all of them.
   * @default 400
   */
  readonly warmupSamples?: number;
  /** Configured hard limits per metric name; a GOOD/UNCERTAIN value outside them is anomalous at once, even during warm-up. @default {} */
  readonly limits?: Readonly<Record<string, MetricLimit>>;
  /** Seconds after an episode closes during which a new episode does not raise a new alert. @default 900 */
  readonly cooldownSeconds?: number;
  /**
   * Weight λ of the newest sample in the exponentially weighted vector of standardised residuals
   * (0 < λ <= 1). Smaller values average more samples: more sensitive to small persistent shifts,
   * slower to react and to settle after a fault.
   * @default 0.1
   */
  readonly scoreSmoothing?: number;
  /**
   * The threshold of the score, as a multiple of its 0.999 control limit. The score is the
   * smoothed vector's T² (against the spread that vector showed out of sample during the warm-up)
   * divided by the number of metrics d, so in the warm-up's conditions T² is about chi-square with
   * d degrees of freedom; the threshold is `thresholdFactor × χ²_d(0.999) / d`. @default 2
   */
  readonly thresholdFactor?: number;
  /**
   * An open episode closes once the score falls below `closeRatio × threshold` (hysteresis, so a
   * score hovering at the threshold does not flap). @default 0.7
   */
  readonly closeRatio?: number;
  /**
   * Upper bound of each metric's lag-1 autoregression coefficient. A slow metric (temperature) is
   * judged by how it moves against its one-step prediction, not by how far its level wanders;
   * the bound keeps a share (1 − bound) of a persistent level shift visible. @default 0.9
   */
  readonly maxAutoregression?: number;
  /**
   * Half-life, in samples, of the adaptation of the metric means to drift; while an episode is
   * open or the score is above 0.6 × the threshold (below the close level, so a fault that closed
   * its episode is not absorbed at once) it pauses for every metric deviating by 3 or more of its
   * own standard deviations; the others (bystanders of the fault) keep following drift. A plant's levels wander by several standard
   * deviations within minutes, so the default follows them fast; the price is that a fault
   * building up more slowly than about 0.5 standard deviations per minute is followed too.
   * 0 disables it. @default 100
   */
  readonly driftHalfLifeSamples?: number;
  /**
   * An open episode ends after this many consecutive samples without the fault's signature: no
   * limit breach, no stuck metric, and either a score below `closeRatio × threshold` or a smoothed
   * vector that has lost most of its projection on the vector at the episode's peak (the process
   * moved away from the fault, e.g. settled at a new operating point). A longer wait merges the
   * flapping of one fault into one episode and ends it later. @default 45
   */
  readonly recoverySamples?: number;
  /**
   * When the signature is gone but the score is still above the close level, the episode ends by
   * moving the means to the levels seen during the episode (a re-baseline on the new operating
   * point), provided no metric moves by more than this many residual standard deviations;
   * otherwise the episode stays open, so a large persistent change is never learned away. 0
   * disables re-baselining (and `episodeDriftFactor`'s following). @default 3
   */
  readonly maxRebaselineShift?: number;
  /**
   * While the asset is not quiet, a metric deviating by 3 or more of its own standard deviations
   * still follows drift in the direction its mean drifted while the asset was quiet (averaged over
   * about half an hour), at up to this many times that velocity, and by at most
   * `maxRebaselineShift` residual standard deviations since the last episode opened. A metric that
   * drifts in normal operation (vibration rising as a pump warms) then ends its episode instead of
   * holding it for hours; a fault on a metric that does not drift, against the drift, or larger
   * than the bound stays open. 0 freezes every deviating metric. @default 8
   */
  readonly episodeDriftFactor?: number;
}

/** Settings with every default filled in and validated (see `resolveDetectorSettings`). */
export type ResolvedDetectorSettings = Readonly<Required<DetectorSettings>>;

/**
 * The `detection` block of `config/<env>.yaml`, the processor's DETECTOR_CONFIG and replay's
 * `--settings`: the detector's settings and the processor's status heartbeat, one schema.
 */
export interface DetectionSettings extends DetectorSettings {
  /** Most frequent rewrite of an unchanged asset status by the processor, in seconds. @default 60 */
  readonly statusHeartbeatSeconds?: number;
  /**
   * Operators' acknowledgements: asset id → UTC time (`YYYY-MM-DDTHH:MM:SSZ`). The episode of that
   * asset that is open at that time ends at the asset's first sample at or after it, re-baselined on
   * the levels the episode showed whatever `maxRebaselineShift` says: the operator has judged the
   * state normal. Episodes that open later are not affected, so an entry does no harm until it is
   * cleaned up. @default {}
   */
  readonly acknowledge?: Readonly<Record<string, string>>;
  /**
   * Operators' requests to relearn an asset: asset id → UTC time (`YYYY-MM-DDTHH:MM:SSZ`). At the
   * asset's first sample at or after that time, a detector whose model was learned before it drops
   * the model (ending an open episode) and warms up again from that sample: for a process that has
   * changed for good (maintenance, a new pump, a recalibrated sensor, another operating regime).
   * Limits keep working during the new warm-up. A model learned after the time is left alone, so an
   * entry does no harm until it is cleaned up. @default {}
   */
  readonly relearn?: Readonly<Record<string, string>>;
}

export type ResolvedDetectionSettings = Readonly<Required<DetectionSettings>>;

/** One reading of one metric inside a sample. */
export interface SampleValue {
  readonly value: number;
  readonly quality: Quality;
}

/** All metrics of one asset observed at one timestamp; may hold a subset of the asset's metrics. */
export interface Sample {
  /** Epoch milliseconds. */
  readonly ts: number;
  readonly values: Readonly<Record<string, SampleValue>>;
}

export type EpisodeEvent = 'none' | 'open' | 'update' | 'close';

export interface EpisodeVerdict {
  /** 'open' on the first anomalous sample of an episode, 'update' on the next ones, 'close' on the first normal one after it. */
  readonly event: EpisodeEvent;
  /** ts of the episode start while an episode is open or on the sample that closes it. */
  readonly startedAt?: number;
  /** Highest smoothed score of the episode so far (same times as `startedAt`). */
  readonly peakScore?: number;
  /**
   * True exactly when the processor should publish the episode's one alert: on its opening outside the
   * cooldown, or on the first sample after the cooldown of an episode that opened inside it and is still open.
   */
  readonly alert: boolean;
  /** On 'close' only: true when the episode had raised an alert, so its end is announced (a recovery). */
  readonly recovery?: boolean;
  /** On 'close' only: true when the episode ended by a re-baseline on a new operating point. */
  readonly rebaselined?: boolean;
  /** On 'close' only: true when an operator's acknowledgement ended the episode (see `AssetDetector.acknowledge`). */
  readonly acknowledged?: boolean;
  /** On 'close' only: true when an operator's request to relearn the asset ended the episode (see `AssetDetector.relearn`). */
  readonly relearned?: boolean;
  /**
   * On 'close' only, when any: the metrics whose means followed their drift during the episode
   * (`episodeDriftFactor`) by a shift worth telling, largest first. The episode may have ended
   * because the detector followed the drift, not because the process returned.
   */
  readonly followedDrift?: readonly FollowedDrift[];
}

/** A metric whose mean followed its drift during an episode, and by how many residual standard deviations. */
export interface FollowedDrift {
  readonly metric: string;
  readonly shift: number;
}

export interface Verdict {
  /** The flag replay prints for this sample: inside an episode (statistical or limit breach). */
  readonly anomalous: boolean;
  /**
   * The multivariate score after smoothing: T² of the smoothed residual vector divided by the
   * number of metrics (about 1 in the warm-up's conditions). 0 during warm-up.
   */
  readonly score: number;
  /** Current threshold of `score`; `Infinity` during warm-up (nothing can cross it). */
  readonly threshold: number;
  readonly warmingUp: boolean;
  /** Metrics whose GOOD/UNCERTAIN value is outside the configured limits. */
  readonly limitBreaches: readonly string[];
  /**
   * On anomalous verdicts: limit breaches, stuck metrics, then the metrics whose smoothed
   * deviation is largest (at most 3 names in all). Empty on normal verdicts.
   */
  readonly contributors: readonly string[];
  readonly episode: EpisodeVerdict;
  /** True on the sample at which the detector dropped its model on an operator's request and began a new warm-up. */
  readonly relearned?: boolean;
}

/**
 * JSON-serialisable detector state of one asset: only finite numbers, strings, booleans, arrays
 * and nulls (DynamoDB cannot store NaN or Infinity). Its size is constant per asset: O(d²)
 * numbers for d metrics. Treat the fields as opaque: only `version` is a contract.
 */
export interface AssetDetectorState {
  readonly version: 5;
  /** Metric names in model order (fixed once warm-up ends). */
  readonly metrics: readonly string[];
  /** Samples with model evidence so far (counting stops once warm-up ends). */
  readonly samples: number;
  /**
   * Epoch ms of the first sample of the warm-up the current model comes from; null before the
   * first sample, and for a state upgraded from version 3 or 2 (unknown: a relearn request applies).
   */
  readonly learningSince: number | null;
  readonly tracking: TrackingState;
  readonly warmup: WarmupState | null;
  readonly calibration: CalibrationState | null;
  readonly model: ModelState | null;
  /** Exponentially weighted residual per metric: raw units during the warm-up, standardised by the model's scale after it. */
  readonly smoothed: readonly number[];
  readonly score: number;
  readonly episode: EpisodeState;
}

/** Metrics a completed warm-up left out of the model (checked against their limits only). */
export interface MetricsLeftOut {
  /** Never changed in the warm-up: no spread to judge them by. */
  readonly constant: readonly string[];
  /** Fewer usable readings than the model needs. */
  readonly tooFewReadings: readonly string[];
}

/** Per metric: the last usable value, samples since it, and how often it repeated exactly. */
export interface TrackingState {
  readonly last: readonly (number | null)[];
  readonly gap: readonly number[];
  readonly run: readonly number[];
}

/** Running moments of the warm-up per metric (raw values shifted by `reference` for precision). */
export interface WarmupState {
  readonly count: readonly number[];
  readonly mean: readonly number[];
  readonly squaredDeviations: readonly number[];
  readonly reference: readonly number[];
  /** Consecutive pairs (x[t-1], x[t]) and their shifted sums, for the lag-1 autoregression. */
  readonly pairs: readonly number[];
  readonly sumPrevious: readonly number[];
  readonly sumCurrent: readonly number[];
  readonly sumPreviousSquared: readonly number[];
  readonly sumCurrentSquared: readonly number[];
  readonly sumProducts: readonly number[];
  readonly longestRun: readonly number[];
  /** Most samples the metric skipped between two readings (absent from states written before it; restored as 0). */
  readonly longestGap: readonly number[];
}

/** Per-metric one-step predictor: x̂[t] = mean + coefficient·(x[t-1] − mean), residual scale. */
export interface PredictorState {
  readonly mean: readonly number[];
  readonly coefficient: readonly number[];
  readonly scale: readonly number[];
}

/** The provisional predictor judging the later warm-up, and the second moments of the smoothed vector it produced. */
export interface CalibrationState extends PredictorState {
  readonly count: readonly number[];
  /** Packed lower triangle (row-major) of the sums of smoothed[i]·smoothed[j] (raw units during the warm-up). */
  readonly secondMoments: readonly number[];
}

export interface ModelState extends PredictorState {
  /** Packed lower triangle of the Cholesky factor of the smoothed vector's covariance. */
  readonly covarianceFactor: readonly number[];
  /** Run of one exact value from which a metric counts as stuck; 0 (never stuck) only in states of models that took a metric constant in the warm-up. */
  readonly stuckRun: readonly number[];
  /** Per metric: the mean followed slowly while the asset is quiet (half-life `trendHalfLifeSamples`). */
  readonly trend: readonly number[];
  /** Per metric: the speed (units per sample) at which its mean moved away from the trend while the asset was quiet. */
  readonly velocity: readonly number[];
  /** Per metric: the most samples it skipped between two readings in the warm-up; 0 in states written before it was measured. */
  readonly longestGap: readonly number[];
}

export interface EpisodeState {
  readonly open: boolean;
  readonly startedAt: number | null;
  readonly peakScore: number | null;
  /** ts of the end of the last episode that raised an alert (its end was announced), for the alert cooldown. */
  readonly lastClosedAt: number | null;
  /** The open episode raised an alert (its end is announced). */
  readonly alerted: boolean;
  /** Consecutive samples of the open episode without the fault's signature. */
  readonly quietSamples: number;
  /** Smoothed vector at the open episode's peak score (the fault's signature); empty when closed or without a model. */
  readonly signature: readonly number[];
  /** Per-metric level followed during the open episode, the target of a re-baseline; empty when closed or without a model. */
  readonly level: readonly number[];
  /**
   * Per metric: residual standard deviations its mean followed drift while deviating, since the
   * last episode opened (bounded by `maxRebaselineShift`); empty until it first does.
   */
  readonly crept: readonly number[];
}
