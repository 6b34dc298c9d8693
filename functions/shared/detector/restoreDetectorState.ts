import {
  DETECTOR_STATE_UPGRADABLE_VERSIONS,
  DETECTOR_STATE_VERSION,
  DETECTOR_STATE_VERSION_WITHOUT_EPISODE_ENDS,
  DETECTOR_STATE_VERSION_WITHOUT_LEARNING_SINCE,
} from './constants';
import { DetectorStateError } from './errors';
import type { AssetDetectorState, CalibrationState, EpisodeState, ModelState, TrackingState, WarmupState } from './types';

type Shape = Record<string, unknown>;

function fail(path: string, expected: string, value: unknown): never {
  const shown = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  throw new DetectorStateError(`detector state ${path} must be ${expected}, got ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}`);
}

function object(value: unknown, path: string): Shape {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(path, 'an object', value);
  return value as Shape;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a finite number', value);
  return value;
}

function finiteOrNull(value: unknown, path: string): number | null {
  return value === null ? null : finite(value, path);
}

function array(value: unknown, path: string, length: number): unknown[] {
  if (!Array.isArray(value) || value.length !== length) fail(path, `an array of ${length} entries`, value);
  return value;
}

function numbers(value: unknown, path: string, length: number): number[] {
  return array(value, path, length).map((entry, index) => finite(entry, `${path}[${index}]`));
}

const triangle = (size: number): number => (size * (size + 1)) / 2;

function restoreTracking(value: unknown, size: number): TrackingState {
  const tracking = object(value, 'tracking');
  return {
    last: array(tracking.last, 'tracking.last', size).map((entry, index) => finiteOrNull(entry, `tracking.last[${index}]`)),
    gap: numbers(tracking.gap, 'tracking.gap', size),
    run: numbers(tracking.run, 'tracking.run', size),
  };
}

function restoreWarmup(value: unknown, size: number): WarmupState | null {
  if (value === null) return null;
  const warmup = object(value, 'warmup');
  const field = (name: keyof WarmupState): number[] => numbers(warmup[name], `warmup.${name}`, size);
  return {
    count: field('count'),
    mean: field('mean'),
    squaredDeviations: field('squaredDeviations'),
    reference: field('reference'),
    pairs: field('pairs'),
    sumPrevious: field('sumPrevious'),
    sumCurrent: field('sumCurrent'),
    sumPreviousSquared: field('sumPreviousSquared'),
    sumCurrentSquared: field('sumCurrentSquared'),
    sumProducts: field('sumProducts'),
    longestRun: field('longestRun'),
    // Measured since 2026-12-03: an older warm-up starts counting now.
    longestGap: warmup.longestGap === undefined ? new Array<number>(size).fill(0) : field('longestGap'),
  };
}

function restoreCalibration(value: unknown, size: number): CalibrationState | null {
  if (value === null) return null;
  const calibration = object(value, 'calibration');
  return {
    mean: numbers(calibration.mean, 'calibration.mean', size),
    coefficient: numbers(calibration.coefficient, 'calibration.coefficient', size),
    scale: numbers(calibration.scale, 'calibration.scale', size),
    count: numbers(calibration.count, 'calibration.count', size),
    secondMoments: numbers(calibration.secondMoments, 'calibration.secondMoments', triangle(size)),
  };
}

function restoreModel(value: unknown, size: number, upgrade: boolean): ModelState | null {
  if (value === null) return null;
  const model = object(value, 'model');
  const scale = numbers(model.scale, 'model.scale', size);
  if (scale.some((entry) => !(entry > 0))) fail('model.scale', 'positive numbers', model.scale);
  const covarianceFactor = numbers(model.covarianceFactor, 'model.covarianceFactor', triangle(size));
  for (let row = 0; row < size; row++) {
    if (!(covarianceFactor[triangle(row + 1) - 1] > 0)) fail('model.covarianceFactor', 'a Cholesky factor with a positive diagonal', model.covarianceFactor);
  }
  const mean = numbers(model.mean, 'model.mean', size);
  return {
    mean,
    coefficient: numbers(model.coefficient, 'model.coefficient', size),
    scale,
    covarianceFactor,
    stuckRun: numbers(model.stuckRun, 'model.stuckRun', size),
    // An older model has measured no drift: its deviating metrics stay frozen until quiet samples measure it.
    trend: upgrade ? mean.slice() : numbers(model.trend, 'model.trend', size),
    velocity: upgrade ? new Array<number>(size).fill(0) : numbers(model.velocity, 'model.velocity', size),
    // An older model measured no gaps: its metrics count as stale after recoverySamples samples.
    longestGap: model.longestGap === undefined ? new Array<number>(size).fill(0) : numbers(model.longestGap, 'model.longestGap', size),
  };
}

/** An array of either no entries or one per metric. */
function optionalNumbers(value: unknown, path: string, size: number): number[] {
  return numbers(value, path, Array.isArray(value) && value.length === 0 ? 0 : size);
}

function restoreEpisode(value: unknown, size: number, version: number): EpisodeState {
  const episode = object(value, 'episode');
  if (typeof episode.open !== 'boolean') fail('episode.open', 'a boolean', episode.open);
  const common = {
    open: episode.open,
    startedAt: finiteOrNull(episode.startedAt, 'episode.startedAt'),
    peakScore: finiteOrNull(episode.peakScore, 'episode.peakScore'),
    lastClosedAt: finiteOrNull(episode.lastClosedAt, 'episode.lastClosedAt'),
  };
  // A version-2 episode knew nothing of its end: assume it alerted (its end is announced) and
  // let the next samples set its signature and level.
  if (version === DETECTOR_STATE_VERSION_WITHOUT_EPISODE_ENDS) return { ...common, alerted: common.open, quietSamples: 0, signature: [], level: [], crept: [] };
  if (typeof episode.alerted !== 'boolean') fail('episode.alerted', 'a boolean', episode.alerted);
  return {
    ...common,
    alerted: episode.alerted,
    quietSamples: finite(episode.quietSamples, 'episode.quietSamples'),
    signature: optionalNumbers(episode.signature, 'episode.signature', size),
    level: optionalNumbers(episode.level, 'episode.level', size),
    crept: version === DETECTOR_STATE_VERSION ? optionalNumbers(episode.crept, 'episode.crept', size) : [],
  };
}

/**
 * Validates a persisted state (from DynamoDB or a file, so of untrusted shape) and returns a
 * clean copy in the current layout (a version-4, -3 or -2 state is upgraded, so a deploy keeps
 * every asset's model). Throws `DetectorStateError` naming the first offending field.
 */
export function restoreDetectorState(value: unknown): AssetDetectorState {
  const state = object(value, '(root)');
  const upgradable: readonly unknown[] = DETECTOR_STATE_UPGRADABLE_VERSIONS;
  if (state.version !== DETECTOR_STATE_VERSION && !upgradable.includes(state.version)) {
    fail('version', `${DETECTOR_STATE_VERSION} (or ${DETECTOR_STATE_UPGRADABLE_VERSIONS.join(' or ')}, upgraded)`, state.version);
  }
  if (!Array.isArray(state.metrics) || state.metrics.some((name) => typeof name !== 'string')) {
    fail('metrics', 'an array of metric names', state.metrics);
  }
  const metrics = [...(state.metrics as string[])];
  if (new Set(metrics).size !== metrics.length) fail('metrics', 'unique metric names', metrics);
  const size = metrics.length;
  const warmup = restoreWarmup(state.warmup, size);
  const model = restoreModel(state.model, size, state.version !== DETECTOR_STATE_VERSION);
  if ((warmup === null) === (model === null)) fail('warmup', 'null exactly when a model is present', state.warmup);
  return {
    version: DETECTOR_STATE_VERSION,
    metrics,
    samples: finite(state.samples, 'samples'),
    // Versions 2 and 3 did not record when their warm-up began.
    learningSince:
      state.version === DETECTOR_STATE_VERSION_WITHOUT_EPISODE_ENDS || state.version === DETECTOR_STATE_VERSION_WITHOUT_LEARNING_SINCE
        ? null
        : finiteOrNull(state.learningSince, 'learningSince'),
    tracking: restoreTracking(state.tracking, size),
    warmup,
    calibration: warmup === null ? null : restoreCalibration(state.calibration, size),
    model,
    smoothed: numbers(state.smoothed, 'smoothed', size),
    score: finite(state.score, 'score'),
    episode: restoreEpisode(state.episode, size, state.version as number),
  };
}
