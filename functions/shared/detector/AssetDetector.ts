import { chiSquareQuantile } from './chiSquareQuantile';
import { DETECTOR_INTERNALS, DETECTOR_STATE_VERSION, MAX_MODEL_METRICS } from './constants';
import { copyDetectorState } from './copyDetectorState';
import { DetectorInputError } from './errors';
import { factorWithShrinkage } from './factorWithShrinkage';
import { fitPredictor } from './fitPredictor';
import { mahalanobisSquared } from './mahalanobisSquared';
import { packedIndex } from './packedIndex';
import { resolveDetectorSettings } from './resolveDetectorSettings';
import { restoreDetectorState } from './restoreDetectorState';
import type {
  AssetDetectorState,
  CalibrationState,
  DetectorSettings,
  EpisodeState,
  EpisodeVerdict,
  FollowedDrift,
  MetricsLeftOut,
  ModelState,
  PredictorState,
  ResolvedDetectorSettings,
  Sample,
  TrackingState,
  Verdict,
  WarmupState,
} from './types';

/** The state with its arrays writable: the detector updates it in place. */
type Writable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };
interface DetectorStateInPlace {
  version: typeof DETECTOR_STATE_VERSION;
  metrics: string[];
  samples: number;
  learningSince: number | null;
  tracking: Writable<TrackingState>;
  warmup: Writable<WarmupState> | null;
  calibration: Writable<CalibrationState> | null;
  model: Writable<ModelState> | null;
  smoothed: number[];
  score: number;
  episode: Writable<EpisodeState>;
}

const NO_NAMES: readonly string[] = Object.freeze([]);
const NOTHING_LEFT_OUT: MetricsLeftOut = Object.freeze({ constant: NO_NAMES, tooFewReadings: NO_NAMES });

/**
 * The shift, in residual standard deviations, that metric `index`'s one-step residual keeps showing when
 * its level moves by `delta` against the mean: the unit of `maxRebaselineShift`.
 */
function residualShift(model: ModelState, index: number, delta: number): number {
  return ((1 - model.coefficient[index]) * delta) / model.scale[index];
}

function emptyState(): DetectorStateInPlace {
  return {
    version: DETECTOR_STATE_VERSION,
    metrics: [],
    samples: 0,
    learningSince: null,
    tracking: { last: [], gap: [], run: [] },
    warmup: {
      count: [],
      mean: [],
      squaredDeviations: [],
      reference: [],
      pairs: [],
      sumPrevious: [],
      sumCurrent: [],
      sumPreviousSquared: [],
      sumCurrentSquared: [],
      sumProducts: [],
      longestRun: [],
      longestGap: [],
    },
    calibration: null,
    model: null,
    smoothed: [],
    score: 0,
    episode: { open: false, startedAt: null, peakScore: null, lastClosedAt: null, alerted: false, quietSamples: 0, signature: [], level: [], crept: [] },
  };
}

/**
 * Streaming anomaly detector of one asset. Layers, cheapest first:
 * 1. configured limits per metric (at once, even during warm-up);
 * 2. per-metric statistics: a one-step predictor per metric (mean, lag-1 autoregression, residual
 *    scale) and a stuck-sensor check (one exact value repeated far longer than in the warm-up);
 * 3. a multivariate score per asset: the exponentially weighted vector of standardised residuals
 *    (MEWMA) and its T² against the spread that vector showed out of sample in the warm-up;
 * 4. episodes: one alert per episode, a cooldown between alerts; an episode ends after a sustained
 *    period without the fault's signature, with a bounded re-baseline when the process settled
 *    at a new operating point; a metric that drifts in normal operation keeps following its
 *    drift during an episode, in the direction and at a multiple of the velocity it drifted at
 *    while quiet, by a bounded amount.
 * Pure (no I/O, no clock) and causal: a verdict depends only on this and earlier samples. Its
 * whole state is `toState()`: O(d²) numbers for d metrics, whatever the number of samples.
 */
export class AssetDetector {
  private readonly settings: ResolvedDetectorSettings;
  private state: DetectorStateInPlace = emptyState();
  private readonly metricIndex = new Map<string, number>();
  /** Per-sample scratch (usable value and presence per metric), reused to avoid allocation. */
  private values: number[] = [];
  private present: boolean[] = [];
  private scratch: number[] = [];
  private readonly driftRate: number;
  /** Weight of the newest mean in each metric's trend. */
  private readonly trendRate = 1 - Math.pow(0.5, 1 / DETECTOR_INTERNALS.trendHalfLifeSamples);
  /** Weight of the newest velocity in its average. */
  private readonly velocityRate = 1 - Math.pow(0.5, 1 / DETECTOR_INTERNALS.velocityHalfLifeSamples);
  /** Weight of the newest sample in the per-metric level followed during an episode. */
  private readonly episodeLevelRate: number;
  /** Threshold of the score once the model is fitted (depends on the number of model metrics). */
  private threshold = Infinity;
  /**
   * Per model metric: 1 / the standard deviation of its smoothed residual (from the covariance
   * factor), so smoothed × this is the metric's own deviation. Derived from the model, not state.
   */
  private marginalPrecision: number[] = [];
  /** What the warm-up this detector completed left out of the model, and why; not state (see `metricsLeftOut`). */
  private leftOut: MetricsLeftOut = NOTHING_LEFT_OUT;
  /** Epoch ms of an operator's acknowledgement of this asset; configuration, not state. */
  private acknowledgedAt: number | undefined;
  /** Epoch ms of an operator's request to relearn this asset; configuration, not state. */
  private relearnAt: number | undefined;

  constructor(settings: DetectorSettings = {}) {
    this.settings = resolveDetectorSettings(settings);
    const halfLife = this.settings.driftHalfLifeSamples;
    this.driftRate = halfLife > 0 ? 1 - Math.pow(0.5, 1 / halfLife) : 0;
    const levelHalfLife = Math.max(1, this.settings.recoverySamples * DETECTOR_INTERNALS.episodeLevelHalfLifeShare);
    this.episodeLevelRate = 1 - Math.pow(0.5, 1 / levelHalfLife);
  }

  /** Restores a detector from `toState()` output (validated: throws `DetectorStateError` on a corrupt state). */
  static fromState(state: AssetDetectorState, settings?: DetectorSettings): AssetDetector {
    const detector = new AssetDetector(settings);
    // restoreDetectorState builds fresh arrays, so the caller's object is never aliased.
    detector.state = restoreDetectorState(state) as DetectorStateInPlace;
    detector.reindex();
    detector.updateThreshold();
    return detector;
  }

  /**
   * Records an operator's acknowledgement at `at` (epoch ms): the episode open at that time ends at
   * the first sample at or after it, re-baselined on the levels the episode showed whatever
   * `maxRebaselineShift` allows (the operator has judged that state normal). Episodes that open
   * later are not affected. Not part of the state: the processor applies the configured
   * acknowledgement to every detector it creates or restores.
   */
  acknowledge(at: number): void {
    if (!Number.isFinite(at)) throw new DetectorInputError(`acknowledgement time must be a finite number of epoch milliseconds, got ${String(at)}`);
    this.acknowledgedAt = at;
  }

  /**
   * Records an operator's request to relearn the asset at `at` (epoch ms): at the first sample at or
   * after it, a model learned from a warm-up that began before `at` (or at an unknown time) is
   * dropped, an open episode ends, and a new warm-up begins with that sample; limits keep working.
   * A model learned after `at` is left alone, so the request applies once even across restores (the
   * state records when its warm-up began). Not part of the state: the processor applies the
   * configured request to every detector it creates or restores.
   */
  relearn(at: number): void {
    if (!Number.isFinite(at)) throw new DetectorInputError(`relearn time must be a finite number of epoch milliseconds, got ${String(at)}`);
    this.relearnAt = at;
  }

  /** Whether the detector is still learning (no verdict can cross the threshold before the warm-up is complete). */
  get warmingUp(): boolean {
    return this.state.model === null;
  }

  /**
   * The metrics the warm-up this instance completed left out of the model (they get their limits
   * only): never changed, or too few readings. Empty on a restored detector and before the warm-up's end.
   */
  get metricsLeftOut(): MetricsLeftOut {
    return this.leftOut;
  }

  /** Metrics seen by this asset's model (fixed after warm-up). */
  get metrics(): readonly string[] {
    return this.state.metrics;
  }

  /** A deep copy of the state, JSON-serialisable (finite numbers, strings, booleans, nulls). */
  toState(): AssetDetectorState {
    return copyDetectorState(this.state);
  }

  /**
   * Judges one sample and updates the state. Never throws for odd readings (BAD, non-finite,
   * missing, unknown metrics, timestamps not newer than the last); throws `DetectorInputError`
   * only when `sample.ts` is not a finite number.
   */
  observe(sample: Sample): Verdict {
    if (!Number.isFinite(sample.ts)) throw new DetectorInputError(`sample ts must be a finite number of epoch milliseconds, got ${String(sample.ts)}`);
    const relearned = this.relearnDue(sample.ts);
    const endedByRelearn = relearned ? this.startRelearning(sample.ts) : undefined;
    const state = this.state;
    const limitBreaches = this.findLimitBreaches(sample);
    const hasEvidence = this.gatherEvidence(sample, limitBreaches);
    // A fresh detector's warm-up begins with its first evidence; an upgraded state's start stays unknown.
    if (hasEvidence && state.learningSince === null && state.samples === 0 && state.model === null) state.learningSince = sample.ts;
    if (!hasEvidence && limitBreaches.length === 0) return this.neutralVerdict(endedByRelearn, relearned);

    const warmingUp = state.model === null;
    let stuck: readonly string[] = NO_NAMES;
    if (hasEvidence) {
      if (warmingUp) {
        this.learn();
        this.track();
        this.advanceWarmup(sample.ts);
      } else {
        this.judge();
        this.track();
        stuck = this.findStuckMetrics();
      }
    }
    const threshold = warmingUp ? Infinity : this.threshold;
    const score = warmingUp ? 0 : state.score;
    const episodeOpen = state.episode.open;
    const statistical = !warmingUp && score > (episodeOpen ? this.settings.closeRatio * threshold : threshold);
    const active = statistical || limitBreaches.length > 0 || stuck.length > 0;
    if (episodeOpen && hasEvidence && !warmingUp) this.followEpisodeLevel();
    // The sample that ended an episode by a relearn only starts the new warm-up: a limit breach in
    // it opens the next episode one sample later, so one sample never both closes and opens.
    const episode =
      endedByRelearn ?? this.advanceEpisode(sample.ts, active, statistical && limitBreaches.length === 0 && stuck.length === 0, score, threshold);
    // Every sample of an episode is flagged, the quiet ones before its end included.
    const anomalous = episode.event === 'open' || episode.event === 'update';
    return {
      anomalous,
      score,
      threshold,
      warmingUp,
      limitBreaches,
      contributors: anomalous ? this.contributors(limitBreaches, stuck) : NO_NAMES,
      episode,
      ...(relearned ? { relearned } : {}),
    };
  }

  /** Verdict of a sample without evidence: nothing changes, not even the episode (unless a relearn just ended it). */
  private neutralVerdict(endedByRelearn: EpisodeVerdict | undefined, relearned: boolean): Verdict {
    const { model, score, episode } = this.state;
    const unchanged: EpisodeVerdict = episode.open
      ? { event: 'none', startedAt: episode.startedAt ?? undefined, peakScore: episode.peakScore ?? undefined, alert: false }
      : { event: 'none', alert: false };
    return {
      anomalous: false,
      score: model === null ? 0 : score,
      threshold: model === null ? Infinity : this.threshold,
      warmingUp: model === null,
      limitBreaches: NO_NAMES,
      contributors: NO_NAMES,
      episode: endedByRelearn ?? unchanged,
      ...(relearned ? { relearned } : {}),
    };
  }

  /** Whether an operator's relearn request applies at `ts`: due, and the model was learned before it (or at an unknown time). */
  private relearnDue(ts: number): boolean {
    const at = this.relearnAt;
    if (at === undefined || ts < at) return false;
    const since = this.state.learningSince;
    // A detector that has seen nothing yet starts its warm-up with this sample anyway.
    return since === null ? this.state.samples > 0 || this.state.model !== null : since < at;
  }

  /**
   * Drops the model and starts a new warm-up at `ts`, keeping only the time of the last episode's
   * end (the alert cooldown still applies). Returns the close of the episode it ended, if one was open.
   */
  private startRelearning(ts: number): EpisodeVerdict | undefined {
    const ended = this.state.episode.open ? this.closeEpisode(ts, this.state.score, false, 'relearn') : undefined;
    this.beginWarmup(ts, { ...emptyState().episode, lastClosedAt: this.state.episode.lastClosedAt });
    return ended;
  }

  /** Drops the model and what was learned, and begins a warm-up at `ts` that carries `episode` on. */
  private beginWarmup(ts: number, episode: Writable<EpisodeState>): void {
    this.state = emptyState();
    this.state.episode = episode;
    this.state.learningSince = ts;
    this.leftOut = NOTHING_LEFT_OUT;
    this.reindex();
    this.updateThreshold();
  }

  private findLimitBreaches(sample: Sample): readonly string[] {
    const limits = this.settings.limits;
    let breaches: string[] | null = null;
    const values: Sample['values'] = sample.values ?? {};
    for (const metric in limits) {
      const reading = Object.hasOwn(values, metric) ? values[metric] : undefined;
      if (reading == null || reading.quality === 'BAD' || !Number.isFinite(reading.value)) continue;
      const { min, max } = limits[metric];
      if ((min !== undefined && reading.value < min) || (max !== undefined && reading.value > max)) (breaches ??= []).push(metric);
    }
    return breaches ?? NO_NAMES;
  }

  /**
   * Marks the model metrics with usable evidence in this sample: not BAD, finite, within limits
   * (a breach is judged by the limit layer alone). A metric first seen during warm-up joins the
   * model (up to MAX_MODEL_METRICS of them); one first seen later, or beyond that, is only checked
   * against its limits.
   */
  private gatherEvidence(sample: Sample, limitBreaches: readonly string[]): boolean {
    this.present.fill(false);
    let foundEvidence = false;
    const values: Sample['values'] = sample.values ?? {};
    for (const metric in values) {
      const reading = values[metric];
      const value = reading?.value;
      if (reading?.quality === 'BAD' || !Number.isFinite(value) || Math.abs(value) > DETECTOR_INTERNALS.maxModelMagnitude) continue;
      if (limitBreaches.length > 0 && limitBreaches.includes(metric)) continue;
      let index = this.metricIndex.get(metric);
      if (index === undefined) {
        if (this.state.model !== null || this.state.metrics.length >= MAX_MODEL_METRICS) continue;
        index = this.addMetric(metric, value);
      }
      this.present[index] = true;
      this.values[index] = value;
      foundEvidence = true;
    }
    return foundEvidence;
  }

  private addMetric(metric: string, firstValue: number): number {
    const state = this.state;
    const warmup = state.warmup as Writable<WarmupState>;
    const index = state.metrics.length;
    state.metrics.push(metric);
    this.metricIndex.set(metric, index);
    state.tracking.last.push(null);
    state.tracking.gap.push(0);
    state.tracking.run.push(0);
    state.smoothed.push(0);
    warmup.count.push(0);
    warmup.mean.push(0);
    warmup.squaredDeviations.push(0);
    warmup.reference.push(firstValue);
    for (const sums of [warmup.pairs, warmup.sumPrevious, warmup.sumCurrent, warmup.sumPreviousSquared, warmup.sumCurrentSquared, warmup.sumProducts, warmup.longestRun, warmup.longestGap]) {
      sums.push(0);
    }
    const calibration = state.calibration;
    if (calibration !== null) {
      // Not judged by the provisional predictor (scale 0) until a refit covers it.
      calibration.mean.push(firstValue);
      calibration.coefficient.push(0);
      calibration.scale.push(0);
      calibration.count.push(0);
      for (let col = 0; col <= index; col++) calibration.secondMoments.push(0);
    }
    // Grown in place: this sample's readings of the metrics gathered before this one are already in them.
    this.values.push(0);
    this.present.push(false);
    this.scratch.push(0);
    return index;
  }

  private reindex(): void {
    this.metricIndex.clear();
    this.state.metrics.forEach((name, index) => this.metricIndex.set(name, index));
    this.resizeScratch();
  }

  private resizeScratch(): void {
    const size = this.state.metrics.length;
    this.values = new Array<number>(size).fill(0);
    this.present = new Array<boolean>(size).fill(false);
    this.scratch = new Array<number>(size).fill(0);
  }

  /** One-step prediction of metric `index` from its last value (the mean when never seen). */
  private predict(predictor: PredictorState, index: number): number {
    const last = this.state.tracking.last[index];
    const mean = predictor.mean[index];
    if (last === null) return mean;
    const gap = this.state.tracking.gap[index];
    const coefficient = predictor.coefficient[index];
    return mean + (gap === 0 ? coefficient : Math.pow(coefficient, gap + 1)) * (last - mean);
  }

  /**
   * Moves the smoothed residual of each present metric; a missing metric keeps its value (no
   * evidence). Standardised by the predictor's scale when judging; in raw units (`raw`) during the
   * calibration, whose provisional scales change at every refit: the covariance is standardised
   * once, with the final scales, so it is in the units of the judged vector.
   */
  private smooth(predictor: PredictorState, size: number, raw = false): void {
    const smoothing = this.settings.scoreSmoothing;
    const smoothed = this.state.smoothed;
    for (let index = 0; index < size; index++) {
      const scale = predictor.scale[index];
      if (!this.present[index] || scale === 0) continue;
      const error = this.values[index] - this.predict(predictor, index);
      smoothed[index] += smoothing * ((raw ? error : error / scale) - smoothed[index]);
    }
  }

  private learn(): void {
    const state = this.state;
    const warmup = state.warmup as Writable<WarmupState>;
    const size = state.metrics.length;
    const calibration = state.calibration;
    if (calibration !== null) {
      // Judge with the provisional predictor before learning the sample: out of sample, like judging.
      this.smooth(calibration, size, true);
      const smoothed = state.smoothed;
      for (let row = 0; row < size; row++) {
        if (calibration.scale[row] === 0) continue;
        calibration.count[row] += 1;
        const rowStart = packedIndex(row, 0);
        for (let col = 0; col <= row; col++) {
          if (calibration.scale[col] !== 0) calibration.secondMoments[rowStart + col] += smoothed[row] * smoothed[col];
        }
      }
    }
    const { last, gap } = state.tracking;
    for (let index = 0; index < size; index++) {
      if (!this.present[index]) continue;
      const value = this.values[index];
      const count = ++warmup.count[index];
      const delta = value - warmup.mean[index];
      warmup.mean[index] += delta / count;
      warmup.squaredDeviations[index] += delta * (value - warmup.mean[index]);
      const previous = last[index];
      if (previous !== null && gap[index] === 0) {
        const reference = warmup.reference[index];
        const before = previous - reference;
        const now = value - reference;
        warmup.pairs[index] += 1;
        warmup.sumPrevious[index] += before;
        warmup.sumCurrent[index] += now;
        warmup.sumPreviousSquared[index] += before * before;
        warmup.sumCurrentSquared[index] += now * now;
        warmup.sumProducts[index] += before * now;
      }
    }
    state.samples += 1;
  }

  /** Refits the provisional predictor on schedule, and fixes the model once the warm-up is complete. */
  private advanceWarmup(ts: number): void {
    const state = this.state;
    const calibration = state.calibration;
    const warmupSamples = this.settings.warmupSamples;
    const calibrationStart = Math.max(2, Math.round(warmupSamples * DETECTOR_INTERNALS.calibrationStartShare));
    const outcome = state.samples >= warmupSamples ? this.warmupOutcome() : 'wait';
    if (outcome === 'finish') {
      this.finishWarmup();
    } else if (outcome === 'restart') {
      // Again from the next sample; an open episode (a limit breach) and the alert cooldown carry on.
      this.beginWarmup(ts, this.state.episode);
    } else if (
      state.samples >= calibrationStart &&
      (calibration === null || (state.samples - calibrationStart) % DETECTOR_INTERNALS.calibrationRefitInterval === 0)
    ) {
      this.refitCalibration();
    }
  }

  /** (Re)fits the provisional predictor from the moments so far; keeps the accumulated second moments. */
  private refitCalibration(): void {
    const state = this.state;
    const warmup = state.warmup as Writable<WarmupState>;
    const size = state.metrics.length;
    const predictor = fitPredictor(warmup, state.metrics.map((_, index) => index), this.settings.maxAutoregression);
    const previous = state.calibration;
    const covered = (index: number): boolean => warmup.count[index] >= DETECTOR_INTERNALS.minMetricSamples;
    state.calibration = {
      mean: predictor.mean.slice(),
      coefficient: predictor.coefficient.slice(),
      scale: predictor.scale.map((scale, index) => (covered(index) ? scale : 0)),
      count: previous?.count ?? new Array<number>(size).fill(0),
      secondMoments: previous?.secondMoments ?? new Array<number>((size * (size + 1)) / 2).fill(0),
    };
  }

  /**
   * What the warm-up, `warmupSamples` long already, does next. It ends once every metric seen has
   * enough readings (a gateway that sends each metric at its own timestamp gives every sample one
   * metric), or at most `maxWarmupExtension` times as long without those still short; it waits in
   * between. With no metric to model it starts again: a model without metrics judged nothing for
   * good, and an asset idle through its warm-up (every metric constant) would otherwise learn from
   * the idle samples plus the first ones of its run, and flag the run from then on.
   */
  private warmupOutcome(): 'finish' | 'wait' | 'restart' {
    const warmup = this.state.warmup as WarmupState;
    const enough = warmup.count.every((count) => count >= DETECTOR_INTERNALS.minMetricSamples);
    const waitedLongEnough = this.state.samples >= this.settings.warmupSamples * DETECTOR_INTERNALS.maxWarmupExtension;
    if (!enough && !waitedLongEnough) return 'wait';
    return this.modelledIndices().length > 0 ? 'finish' : 'restart';
  }

  /**
   * The warm-up's metrics the model takes: those with enough readings that changed through the
   * warm-up (one value held for at most half their readings). A metric that never changed has no
   * measured spread: judged by the scale's floor, its first movement (a setpoint changed, a sensor
   * came alive) would open episode after episode, and the alert cooldown would then hide every real
   * fault of the asset; one that changed once, after holding still, has a spread of that one step.
   * They get their limits only.
   */
  private modelledIndices(): number[] {
    const warmup = this.state.warmup as WarmupState;
    return this.state.metrics
      .map((_, index) => index)
      .filter((index) => warmup.count[index] >= DETECTOR_INTERNALS.minMetricSamples && 2 * warmup.longestRun[index] <= warmup.count[index]);
  }

  /** Fixes the model: metrics with enough warm-up readings that varied, final predictors, covariance factor, stuck limits. */
  private finishWarmup(): void {
    const state = this.state;
    const warmup = state.warmup as Writable<WarmupState>;
    const kept = this.modelledIndices();
    this.leftOut = {
      constant: state.metrics.filter((_, index) => warmup.count[index] >= DETECTOR_INTERNALS.minMetricSamples && !kept.includes(index)),
      tooFewReadings: state.metrics.filter((_, index) => warmup.count[index] < DETECTOR_INTERNALS.minMetricSamples),
    };
    const predictor = fitPredictor(warmup, kept, this.settings.maxAutoregression);
    const covariance = this.smoothedCovariance(kept, predictor.scale);
    const internals = DETECTOR_INTERNALS;
    // The calibration smoothed raw residuals: from now on the vector is standardised.
    kept.forEach((index, position) => {
      state.smoothed[index] /= predictor.scale[position];
    });
    state.model = {
      mean: predictor.mean.slice(),
      coefficient: predictor.coefficient.slice(),
      scale: predictor.scale.slice(),
      covarianceFactor: factorWithShrinkage(covariance, kept.length),
      stuckRun: kept.map((index) => Math.max(internals.minStuckRun, internals.stuckRunFactor * warmup.longestRun[index])),
      trend: predictor.mean.slice(),
      velocity: new Array<number>(kept.length).fill(0),
      longestGap: kept.map((index) => warmup.longestGap[index]),
    };
    const pick = <T>(values: readonly T[]): T[] => kept.map((index) => values[index]);
    state.metrics = pick(state.metrics);
    state.tracking = { last: pick(state.tracking.last), gap: pick(state.tracking.gap), run: pick(state.tracking.run) };
    state.smoothed = pick(state.smoothed);
    // An episode open across the end of the warm-up (a limit breach) has no model signature yet.
    state.episode.signature = [];
    state.episode.level = [];
    state.episode.crept = [];
    state.warmup = null;
    state.calibration = null;
    this.reindex();
    this.updateThreshold();
  }

  /**
   * `thresholdFactor` times the 0.999 control limit of T²/d: in the warm-up's conditions T² of
   * d metrics is about chi-square with d degrees of freedom, so the limit means the same tail
   * probability whatever the number of metrics.
   */
  private updateThreshold(): void {
    const size = this.state.metrics.length;
    const model = this.state.model;
    this.threshold = model === null || size === 0 ? Infinity : (this.settings.thresholdFactor * chiSquareQuantile(size)) / size;
    this.marginalPrecision = [];
    if (model === null) return;
    const factor = model.covarianceFactor;
    for (let row = 0; row < size; row++) {
      let variance = 0;
      for (let k = 0; k <= row; k++) variance += factor[packedIndex(row, k)] ** 2;
      this.marginalPrecision.push(1 / Math.sqrt(variance));
    }
  }

  /**
   * Covariance (packed) of the smoothed vector as the provisional predictor saw it during the
   * calibration part of the warm-up, about zero (a bias out of sample is spread too), standardised
   * by the final model's `scale` (the calibration smoothed raw residuals). Its diagonal is at least
   * λ/(2−λ), the variance a smoothed white-noise residual would have.
   */
  private smoothedCovariance(kept: readonly number[], scale: readonly number[]): number[] {
    const calibration = this.state.calibration;
    const smoothing = this.settings.scoreSmoothing;
    const whiteNoiseVariance = smoothing / (2 - smoothing);
    const size = kept.length;
    const covariance = new Array<number>((size * (size + 1)) / 2).fill(0);
    for (let row = 0; row < size; row++) {
      for (let col = 0; col <= row; col++) {
        const [i, j] = [kept[row], kept[col]];
        const count = calibration === null ? 0 : Math.min(calibration.count[i], calibration.count[j]);
        const moment = count > 0 && calibration !== null ? calibration.secondMoments[packedIndex(i, j)] / count / (scale[row] * scale[col]) : 0;
        covariance[packedIndex(row, col)] = row === col ? Math.max(moment, whiteNoiseVariance) : moment;
      }
    }
    return covariance;
  }

  private judge(): void {
    const state = this.state;
    const model = state.model as Writable<ModelState>;
    const size = state.metrics.length;
    this.smooth(model, size);
    this.forgetStaleResiduals(model, size);
    state.score = size === 0 ? 0 : mahalanobisSquared(model.covarianceFactor, size, state.smoothed, this.scratch) / size;
    if (this.driftRate === 0) return;
    // Drift: every mean follows the data while the asset is quiet; otherwise the bystanders,
    // metrics whose own deviation is small, keep following it, so the slow wander of metrics that
    // have nothing to do with the fault does not build up against frozen means and hold the episode,
    // and the deviating ones follow only the drift they showed while quiet.
    const quiet = !state.episode.open && state.score < DETECTOR_INTERNALS.driftFreezeRatio * this.threshold;
    for (let index = 0; index < size; index++) {
      if (!this.present[index]) continue;
      const step = this.driftRate * (this.values[index] - model.mean[index]);
      if (quiet || Math.abs(state.smoothed[index] * this.marginalPrecision[index]) < DETECTOR_INTERNALS.bystanderDeviation) {
        model.mean[index] += step;
      } else {
        this.followDrift(model, index, step);
      }
      if (quiet) this.measureDrift(model, index);
    }
  }

  /**
   * A metric that has stopped reporting (a dead or removed sensor, readings gone BAD) no longer holds
   * its smoothed residual: once absent for `staleGapFactor` times the longest gap its warm-up showed,
   * and at least `recoverySamples` samples, the residual goes back to 0 (no evidence either way).
   * Kept, it held the score and the fault's signature where the metric left them, and an episode
   * whose sensor died during the fault stayed open for as long as the sensor was gone.
   */
  private forgetStaleResiduals(model: ModelState, size: number): void {
    const gap = this.state.tracking.gap;
    const smoothed = this.state.smoothed;
    for (let index = 0; index < size; index++) {
      if (this.present[index] || smoothed[index] === 0) continue;
      const staleAfter = Math.max(this.settings.recoverySamples, DETECTOR_INTERNALS.staleGapFactor * model.longestGap[index]);
      if (gap[index] >= staleAfter) smoothed[index] = 0;
    }
  }

  /**
   * Moves the trend of a metric's mean and the average velocity of its drift: under a steady drift
   * the mean leads the trend by the velocity divided by the trend's weight.
   */
  private measureDrift(model: Writable<ModelState>, index: number): void {
    model.trend[index] += this.trendRate * (model.mean[index] - model.trend[index]);
    const velocity = this.trendRate * (model.mean[index] - model.trend[index]);
    model.velocity[index] += this.velocityRate * (velocity - model.velocity[index]);
  }

  /**
   * Moves the mean of a deviating metric by the drift `step` when it goes the way the metric drifted
   * while quiet (at least `minFollowedDrift`), by at most `episodeDriftFactor` times that velocity, while the residual standard
   * deviations it moved since the last episode opened stay within `maxRebaselineShift`: a metric that
   * does not drift, a change against its drift or beyond the bound is not followed, so a persistent
   * fault is not learned away.
   */
  private followDrift(model: Writable<ModelState>, index: number, step: number): void {
    const velocity = model.velocity[index];
    const limit = this.settings.episodeDriftFactor * Math.abs(velocity);
    if (limit === 0 || Math.sign(step) !== Math.sign(velocity)) return;
    if (Math.abs(residualShift(model, index, velocity)) * 1000 < DETECTOR_INTERNALS.minFollowedDrift) return;
    const move = Math.max(-limit, Math.min(limit, step));
    const crept = this.state.episode.crept;
    if (crept.length === 0) crept.push(...new Array<number>(model.mean.length).fill(0));
    const used = crept[index] + Math.abs(residualShift(model, index, move));
    if (used > this.settings.maxRebaselineShift) return;
    crept[index] = used;
    model.mean[index] += move;
  }

  /** Updates last value, gap and exact-repeat run of every metric after the sample was used. */
  private track(): void {
    const { last, gap, run } = this.state.tracking;
    const longestRun = this.state.warmup?.longestRun;
    const longestGap = this.state.warmup?.longestGap;
    for (let index = 0; index < last.length; index++) {
      if (this.present[index]) {
        const value = this.values[index];
        // The samples this metric skipped since its last reading: how sparsely it reports.
        if (longestGap !== undefined && last[index] !== null && gap[index] > longestGap[index]) longestGap[index] = gap[index];
        run[index] = last[index] === value ? run[index] + 1 : 1;
        last[index] = value;
        gap[index] = 0;
        if (longestRun !== undefined && run[index] > longestRun[index]) longestRun[index] = run[index];
      } else if (last[index] !== null) {
        gap[index] += 1;
      }
    }
  }

  private findStuckMetrics(): readonly string[] {
    const model = this.state.model as ModelState;
    const run = this.state.tracking.run;
    let stuck: string[] | null = null;
    for (let index = 0; index < run.length; index++) {
      const limit = model.stuckRun[index];
      if (limit > 0 && this.present[index] && run[index] >= limit) (stuck ??= []).push(this.state.metrics[index]);
    }
    return stuck ?? NO_NAMES;
  }

  /** Limit breaches, then stuck metrics, then the largest standardised smoothed deviations. */
  private contributors(limitBreaches: readonly string[], stuck: readonly string[]): readonly string[] {
    const names = [...limitBreaches, ...stuck.filter((name) => !limitBreaches.includes(name))];
    const model = this.state.model;
    if (model !== null && names.length < DETECTOR_INTERNALS.maxContributors) {
      const ranked = this.state.smoothed
        .map((value, index) => ({ name: this.state.metrics[index], deviation: Math.abs(value) * this.marginalPrecision[index] }))
        .filter((entry) => entry.deviation >= DETECTOR_INTERNALS.minContribution && !names.includes(entry.name))
        .sort((a, b) => b.deviation - a.deviation);
      for (const entry of ranked) names.push(entry.name);
    }
    return names.slice(0, DETECTOR_INTERNALS.maxContributors);
  }

  /** Moves the per-metric level of the open episode toward this sample (the re-baseline target). */
  private followEpisodeLevel(): void {
    const level = this.state.episode.level;
    const model = this.state.model as ModelState;
    if (level.length === 0) level.push(...model.mean);
    for (let index = 0; index < level.length; index++) {
      if (this.present[index]) level[index] += this.episodeLevelRate * (this.values[index] - level[index]);
    }
  }

  /**
   * Share of the peak's signature left in the smoothed vector: its projection on the vector at
   * the peak, relative to that vector's length (1 while the fault persists, about 0 once it is gone).
   */
  private signatureShare(): number {
    const signature = this.state.episode.signature;
    if (signature.length === 0) return 1;
    const smoothed = this.state.smoothed;
    let dot = 0;
    let norm = 0;
    for (let index = 0; index < signature.length; index++) {
      dot += smoothed[index] * signature[index];
      norm += signature[index] * signature[index];
    }
    return norm > 0 ? dot / norm : 1;
  }

  /**
   * Moves the means to the levels of the episode when every metric moves by at most
   * `maxRebaselineShift` residual standard deviations (the shift a one-step residual would keep
   * showing) and has settled there (its smoothed residual already shows that shift); returns
   * false, changing nothing, otherwise.
   */
  private rebaseline(): boolean {
    const model = this.state.model as Writable<ModelState> | null;
    const level = this.state.episode.level;
    const limit = this.settings.maxRebaselineShift;
    if (model === null || level.length === 0 || limit <= 0) return false;
    if (!this.rebaselineAllowed(model, level, limit)) return false;
    this.moveMeans(model, level);
    return true;
  }

  /** Whether every metric moves by at most `limit` residual standard deviations and has settled at its level. */
  private rebaselineAllowed(model: ModelState, level: readonly number[], limit: number): boolean {
    const smoothed = this.state.smoothed;
    for (let index = 0; index < level.length; index++) {
      const shift = residualShift(model, index, level[index] - model.mean[index]);
      if (!(Math.abs(shift) <= limit)) return false;
      const unsettled = Math.abs(smoothed[index] - shift) * this.marginalPrecision[index];
      if (unsettled > DETECTOR_INTERNALS.settledDeviation) return false;
    }
    return true;
  }

  private moveMeans(model: Writable<ModelState>, level: readonly number[]): void {
    for (let index = 0; index < level.length; index++) {
      // The trend moves along: a re-baseline is a judged new level, not drift.
      model.trend[index] += level[index] - model.mean[index];
      model.mean[index] = level[index];
    }
    // The smoothed residuals were measured against the old means: start afresh from the new ones.
    this.state.smoothed.fill(0);
    this.state.score = 0;
  }

  /** Whether an operator acknowledged the open episode and this sample is the first at or after it. */
  private acknowledgedBy(ts: number): boolean {
    const at = this.acknowledgedAt;
    const startedAt = this.state.episode.startedAt;
    return at !== undefined && startedAt !== null && startedAt < at && ts >= at;
  }

  /** Ends the open episode on an operator's acknowledgement, re-baselined on its levels when it has them. */
  private closeAcknowledged(ts: number, score: number): EpisodeVerdict {
    const model = this.state.model as Writable<ModelState> | null;
    const level = this.state.episode.level;
    const rebaselined = model !== null && level.length > 0;
    if (rebaselined) this.moveMeans(model, level);
    return this.closeEpisode(ts, score, rebaselined, 'acknowledge');
  }

  /**
   * Opens an episode on an active sample; while open, counts the samples without the fault's
   * signature and ends the episode after `recoverySamples` of them: directly when the score is
   * back under the close level, by a bounded re-baseline when it is not.
   */
  private advanceEpisode(ts: number, active: boolean, statisticalOnly: boolean, score: number, threshold: number): EpisodeVerdict {
    const episode = this.state.episode;
    if (!episode.open) {
      if (!active) return { event: 'none', alert: false };
      const alert = this.cooldownOver(ts);
      episode.open = true;
      episode.startedAt = ts;
      episode.peakScore = score;
      episode.alerted = alert;
      episode.quietSamples = 0;
      episode.signature = this.state.model === null ? [] : this.state.smoothed.slice();
      episode.crept = [];
      return { event: 'open', startedAt: ts, peakScore: score, alert };
    }
    if (this.acknowledgedBy(ts)) return this.closeAcknowledged(ts, score);
    // Hysteresis, as between the open and close levels of the score: once the count has begun, a
    // share that hovers about the gone level does not restart it; the signature has to come back.
    const goneBelow = episode.quietSamples > 0 ? DETECTOR_INTERNALS.signatureReturnShare : DETECTOR_INTERNALS.signatureGoneShare;
    const signatureGone = !active || (statisticalOnly && this.signatureShare() < goneBelow);
    if (!signatureGone) {
      episode.quietSamples = 0;
      if (score > (episode.peakScore ?? -Infinity)) {
        episode.peakScore = score;
        if (this.state.model !== null) episode.signature = this.state.smoothed.slice();
      }
    } else {
      episode.quietSamples += 1;
      if (episode.quietSamples >= this.settings.recoverySamples) {
        const settled = score <= this.settings.closeRatio * threshold;
        if (settled) return this.closeEpisode(ts, score, false);
        if (this.rebaseline()) return this.closeEpisode(ts, score, true);
      }
    }
    // An episode that opened inside the cooldown alerts once the cooldown is over while its signature is
    // there: the operator was told the last fault had ended, and this one has not.
    const lateAlert = !episode.alerted && episode.quietSamples === 0 && this.cooldownOver(ts);
    if (lateAlert) episode.alerted = true;
    return { event: 'update', startedAt: episode.startedAt ?? ts, peakScore: episode.peakScore ?? score, alert: lateAlert };
  }

  /**
   * Whether an alert may go out at `ts`: `cooldownSeconds` after the end of the last episode that
   * alerted (its end was announced). Counted from any episode's end, a fault that kept reopening
   * within the cooldown, or one that came back inside it and stayed, never alerted again.
   */
  private cooldownOver(ts: number): boolean {
    const lastClosedAt = this.state.episode.lastClosedAt;
    return lastClosedAt === null || ts - lastClosedAt >= this.settings.cooldownSeconds * 1000;
  }

  /** The metrics whose means followed their drift since the episode opened by at least `reportedDriftShift`, largest first. */
  private followedDrift(): FollowedDrift[] {
    const crept = this.state.episode.crept;
    return crept
      .map((shift, index) => ({ metric: this.state.metrics[index], shift }))
      .filter((entry) => entry.shift >= DETECTOR_INTERNALS.reportedDriftShift)
      .sort((a, b) => b.shift - a.shift);
  }

  /** Ends the open episode; `request` names the operator's request that ended it, if one did. */
  private closeEpisode(ts: number, score: number, rebaselined: boolean, request?: 'acknowledge' | 'relearn'): EpisodeVerdict {
    const episode = this.state.episode;
    const followedDrift = this.followedDrift();
    const closed: EpisodeVerdict = {
      event: 'close',
      startedAt: episode.startedAt ?? ts,
      peakScore: episode.peakScore ?? score,
      alert: false,
      recovery: episode.alerted,
      rebaselined,
      ...(request === 'acknowledge' ? { acknowledged: true } : {}),
      ...(request === 'relearn' ? { relearned: true } : {}),
      ...(followedDrift.length > 0 ? { followedDrift } : {}),
    };
    episode.open = false;
    if (episode.alerted) episode.lastClosedAt = ts;
    episode.startedAt = null;
    episode.peakScore = null;
    episode.alerted = false;
    episode.quietSamples = 0;
    episode.signature = [];
    episode.level = [];
    return closed;
  }
}
