import { DETECTOR_DEFAULTS, DETECTOR_SETTING_BOUNDS } from './constants';
import { DetectorSettingsError } from './errors';
import type { DetectorSettings, MetricLimit, ResolvedDetectorSettings } from './types';

const SETTING_NAMES = [
  'warmupSamples',
  'limits',
  'cooldownSeconds',
  'scoreSmoothing',
  'thresholdFactor',
  'closeRatio',
  'maxAutoregression',
  'driftHalfLifeSamples',
] as const satisfies readonly (keyof DetectorSettings)[];

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function requireInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new DetectorSettingsError(`${name} must be an integer >= ${min}, got ${describe(value)}`);
  }
  if (value > max) throw new DetectorSettingsError(`${name} must be an integer <= ${max}, got ${describe(value)}`);
  return value;
}

function requireNumber(name: string, value: unknown, range: string, isValid: (n: number) => boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !isValid(value)) {
    throw new DetectorSettingsError(`${name} must be a number ${range}, got ${describe(value)}`);
  }
  return value;
}

function resolveLimits(limits: unknown): Readonly<Record<string, MetricLimit>> {
  if (limits === undefined) return {};
  if (limits === null || typeof limits !== 'object' || Array.isArray(limits)) {
    throw new DetectorSettingsError(`limits must be an object of {min?, max?} per metric, got ${describe(limits)}`);
  }
  const resolved: [string, MetricLimit][] = [];
  for (const [metric, limit] of Object.entries(limits as Record<string, unknown>)) {
    if (limit === null || typeof limit !== 'object' || Array.isArray(limit)) {
      throw new DetectorSettingsError(`limits.${metric} must be an object {min?, max?}, got ${describe(limit)}`);
    }
    const { min, max } = limit as { min?: unknown; max?: unknown };
    for (const [key, bound] of [['min', min], ['max', max]] as const) {
      if (bound !== undefined && (typeof bound !== 'number' || Number.isNaN(bound))) {
        throw new DetectorSettingsError(`limits.${metric}.${key} must be a number, got ${describe(bound)}`);
      }
    }
    if (typeof min === 'number' && typeof max === 'number' && min > max) {
      throw new DetectorSettingsError(`limits.${metric}.min must be <= limits.${metric}.max, got min ${min} and max ${max}`);
    }
    resolved.push([
      metric,
      Object.freeze({ ...(typeof min === 'number' ? { min } : {}), ...(typeof max === 'number' ? { max } : {}) }),
    ]);
  }
  // fromEntries defines own properties, so even a metric named "__proto__" stays a plain key.
  return Object.freeze(Object.fromEntries(resolved));
}

/**
 * Fills in the defaults and validates every setting once, so the hot path never re-checks them.
 * Throws `DetectorSettingsError` quoting the setting and the offending value.
 */
export function resolveDetectorSettings(settings: DetectorSettings = {}): ResolvedDetectorSettings {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    throw new DetectorSettingsError(`detector settings must be an object, got ${describe(settings)}`);
  }
  // A misspelt key would otherwise be ignored silently and its default used.
  for (const key of Object.keys(settings)) {
    if (!(SETTING_NAMES as readonly string[]).includes(key)) {
      throw new DetectorSettingsError(`unknown detector setting ${JSON.stringify(key)} (known: ${SETTING_NAMES.join(', ')})`);
    }
  }
  const bounds = DETECTOR_SETTING_BOUNDS;
  return Object.freeze({
    warmupSamples: requireInteger(
      'warmupSamples',
      settings.warmupSamples ?? DETECTOR_DEFAULTS.warmupSamples,
      bounds.minWarmupSamples,
      bounds.maxWarmupSamples,
    ),
    limits: resolveLimits(settings.limits),
    cooldownSeconds: requireNumber(
      'cooldownSeconds',
      settings.cooldownSeconds ?? DETECTOR_DEFAULTS.cooldownSeconds,
      `>= 0 and <= ${bounds.maxCooldownSeconds}`,
      (n) => n >= 0 && n <= bounds.maxCooldownSeconds,
    ),
    scoreSmoothing: requireNumber(
      'scoreSmoothing',
      settings.scoreSmoothing ?? DETECTOR_DEFAULTS.scoreSmoothing,
      '> 0 and <= 1',
      (n) => n > 0 && n <= 1,
    ),
    thresholdFactor: requireNumber(
      'thresholdFactor',
      settings.thresholdFactor ?? DETECTOR_DEFAULTS.thresholdFactor,
      '> 0',
      (n) => n > 0,
    ),
    closeRatio: requireNumber(
      'closeRatio',
      settings.closeRatio ?? DETECTOR_DEFAULTS.closeRatio,
      '> 0 and <= 1',
      (n) => n > 0 && n <= 1,
    ),
    maxAutoregression: requireNumber(
      'maxAutoregression',
      settings.maxAutoregression ?? DETECTOR_DEFAULTS.maxAutoregression,
      '>= 0 and < 1',
      (n) => n >= 0 && n < 1,
    ),
    driftHalfLifeSamples: requireNumber(
      'driftHalfLifeSamples',
      settings.driftHalfLifeSamples ?? DETECTOR_DEFAULTS.driftHalfLifeSamples,
      '>= 0 (0 disables drift adaptation)',
      (n) => n >= 0,
    ),
  });
}
