import { IDENTIFIER_PATTERN } from '../constants';
import { isUtcTime } from '../isUtcTime';
import { DEFAULT_STATUS_HEARTBEAT_SECONDS, DETECTION_SETTING_RULES, DETECTOR_DEFAULTS } from './constants';
import { describeRule, type NumberRule } from './describeRule';
import { DetectorSettingsError } from './errors';
import type { DetectionSettings, MetricLimit, ResolvedDetectionSettings } from './types';

/** Settings that map asset ids to the UTC time of an operator's request. */
type AssetTimesSetting = 'acknowledge' | 'relearn';
type NumberSetting = Exclude<keyof DetectionSettings, 'limits' | AssetTimesSetting>;

/** Every setting of the detection block, in the order messages list them. */
export const DETECTION_SETTING_NAMES = ['limits', ...(Object.keys(DETECTION_SETTING_RULES) as NumberSetting[]), 'acknowledge', 'relearn'] as const satisfies readonly (keyof DetectionSettings)[];
/** Settings of the detection block the processor applies per asset, not given to the detector's constructor. */
export const OPERATOR_REQUEST_NAMES = ['acknowledge', 'relearn'] as const satisfies readonly AssetTimesSetting[];
/** Settings of the detection block that are the processor's alone: the status heartbeat and the operators' requests. */
export const PROCESSOR_ONLY_NAMES = ['statusHeartbeatSeconds', ...OPERATOR_REQUEST_NAMES] as const;
const LIMIT_FIELDS = ['min', 'max'] as const;
const METRIC_NAME_RULE = `a metric name matching ${IDENTIFIER_PATTERN.source.slice(1, -1)}`;
const ASSET_ID_RULE = `an asset id matching ${IDENTIFIER_PATTERN.source.slice(1, -1)}`;
const REQUEST_TIME_RULE = 'a UTC time written YYYY-MM-DDTHH:MM:SSZ (quoted in YAML)';

function invalid(setting: string, value: unknown, expected: string): DetectorSettingsError {
  return new DetectorSettingsError(setting, value, { expected });
}

function unknown(setting: string, value: unknown, known: readonly string[]): DetectorSettingsError {
  return new DetectorSettingsError(setting, value, { known });
}

function checkNumber(setting: NumberSetting, value: unknown): number {
  const rule: NumberRule = DETECTION_SETTING_RULES[setting];
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.minExclusive ? value > rule.min : value >= rule.min) &&
    (rule.maxExclusive ? value < rule.max : value <= rule.max);
  if (!ok) throw invalid(setting, value, describeRule(rule));
  return value as number;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkLimits(value: unknown): Readonly<Record<string, MetricLimit>> {
  if (value === undefined) return Object.freeze({});
  if (!isMapping(value)) throw invalid('limits', value, 'a mapping of metric names to {min, max}');
  const resolved: [string, MetricLimit][] = [];
  for (const [metric, limit] of Object.entries(value)) {
    const setting = `limits.${metric}`;
    if (!IDENTIFIER_PATTERN.test(metric)) throw invalid(setting, metric, METRIC_NAME_RULE);
    if (!isMapping(limit)) throw invalid(setting, limit, 'a mapping with min and/or max');
    for (const key of Object.keys(limit)) {
      if (!(LIMIT_FIELDS as readonly string[]).includes(key)) throw unknown(`${setting}.${key}`, limit[key], LIMIT_FIELDS);
    }
    for (const key of LIMIT_FIELDS) {
      const bound = limit[key];
      if (bound !== undefined && (typeof bound !== 'number' || !Number.isFinite(bound))) throw invalid(`${setting}.${key}`, bound, 'a finite number');
    }
    const { min, max } = limit as MetricLimit;
    if (min === undefined && max === undefined) throw invalid(setting, limit, 'at least one of min and max');
    if (min !== undefined && max !== undefined && min >= max) throw invalid(`${setting}.min`, min, `min below max (${max})`);
    resolved.push([metric, Object.freeze({ ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) })]);
  }
  // fromEntries defines own properties, so even a metric named "__proto__" stays a plain key.
  return Object.freeze(Object.fromEntries(resolved));
}

/** An operator's requests per asset (`acknowledge`, `relearn`): asset ids to UTC times. */
function checkAssetTimes(name: AssetTimesSetting, value: unknown): Readonly<Record<string, string>> {
  if (value === undefined) return Object.freeze({});
  if (!isMapping(value)) throw invalid(name, value, 'a mapping of asset ids to UTC times');
  const resolved: [string, string][] = [];
  for (const [assetId, at] of Object.entries(value)) {
    const setting = `${name}.${assetId}`;
    if (!IDENTIFIER_PATTERN.test(assetId)) throw invalid(setting, assetId, ASSET_ID_RULE);
    if (!isUtcTime(at)) throw invalid(setting, at instanceof Date ? at.toISOString() : at, REQUEST_TIME_RULE);
    resolved.push([assetId, at]);
  }
  return Object.freeze(Object.fromEntries(resolved));
}

/**
 * Checks a detection block against the one schema (`DETECTION_SETTING_RULES`) and fills in the
 * defaults. `names` are the settings this caller accepts (all of them for the config and replay;
 * the detector's own for the detector). Throws `DetectorSettingsError` naming the setting, the
 * value and the rule; an unknown key is refused so a typo cannot silently fall back to a default.
 */
export function resolveDetectionSettings(settings: unknown = {}, names: readonly string[] = DETECTION_SETTING_NAMES): ResolvedDetectionSettings {
  if (!isMapping(settings)) throw invalid('(settings)', settings, 'a mapping of detection settings');
  for (const key of Object.keys(settings)) {
    if (!names.includes(key)) throw unknown(key, settings[key], names);
  }
  const number = (setting: NumberSetting, fallback: number): number => checkNumber(setting, settings[setting] ?? fallback);
  const defaults = DETECTOR_DEFAULTS;
  return Object.freeze({
    warmupSamples: number('warmupSamples', defaults.warmupSamples),
    limits: checkLimits(settings.limits),
    cooldownSeconds: number('cooldownSeconds', defaults.cooldownSeconds),
    statusHeartbeatSeconds: number('statusHeartbeatSeconds', DEFAULT_STATUS_HEARTBEAT_SECONDS),
    scoreSmoothing: number('scoreSmoothing', defaults.scoreSmoothing),
    thresholdFactor: number('thresholdFactor', defaults.thresholdFactor),
    closeRatio: number('closeRatio', defaults.closeRatio),
    maxAutoregression: number('maxAutoregression', defaults.maxAutoregression),
    driftHalfLifeSamples: number('driftHalfLifeSamples', defaults.driftHalfLifeSamples),
    recoverySamples: number('recoverySamples', defaults.recoverySamples),
    maxRebaselineShift: number('maxRebaselineShift', defaults.maxRebaselineShift),
    episodeDriftFactor: number('episodeDriftFactor', defaults.episodeDriftFactor),
    acknowledge: checkAssetTimes('acknowledge', settings.acknowledge),
    relearn: checkAssetTimes('relearn', settings.relearn),
  });
}
