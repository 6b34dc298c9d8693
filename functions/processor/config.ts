import {
  DEFAULT_STATUS_HEARTBEAT_SECONDS,
  DETECTION_SETTING_RULES,
  DETECTOR_SETTING_NAMES,
  detectorPart,
  OPERATOR_REQUEST_NAMES,
  resolveDetectionSettings,
  type ResolvedDetectorSettings,
} from '../shared/detector';
import { ENV } from '../shared/constants';
import { Environment } from '../shared/Environment';
import { ConfigurationError } from '../shared/errors';
import { CHECKPOINT_INTERVAL_BOUNDS, DEFAULT_CHECKPOINT_INTERVAL_SECONDS } from './constants';

export interface ProcessorConfig {
  readonly assetStatusTable: string;
  readonly detectorStateTable: string;
  readonly alertTopicArn: string;
  readonly archiveBucket: string;
  readonly dashboardUrl: string;
  readonly detectorSettings: ResolvedDetectorSettings;
  /** Operators' acknowledgements per asset id, epoch ms (DETECTOR_CONFIG's `acknowledge`). */
  readonly acknowledgements: ReadonlyMap<string, number>;
  /** Operators' requests to relearn per asset id, epoch ms (DETECTOR_CONFIG's `relearn`). */
  readonly relearnRequests: ReadonlyMap<string, number>;
  readonly statusHeartbeatSeconds: number;
  readonly checkpointIntervalSeconds: number;
}

/** An operator's requests (asset id → UTC time, already checked by the schema) as epoch ms per asset. */
function epochMsPerAsset(times: Readonly<Record<string, string>>): ReadonlyMap<string, number> {
  return new Map(Object.entries(times).map(([assetId, at]) => [assetId, Date.parse(at)]));
}

/** Reads and checks the processor's environment; throws ConfigurationError naming the variable. */
export function readProcessorConfig(env: Environment = new Environment()): ProcessorConfig {
  const dashboardUrl = env.required(ENV.dashboardUrl);
  if (!/^https:\/\/\S+$/.test(dashboardUrl)) {
    throw new ConfigurationError(`environment variable ${ENV.dashboardUrl} must be an https URL, got ${JSON.stringify(dashboardUrl)}`);
  }
  const rawSettings = env.json(ENV.detectorConfig, {});
  if (typeof rawSettings !== 'object' || rawSettings === null || Array.isArray(rawSettings)) {
    throw new ConfigurationError(`environment variable ${ENV.detectorConfig} must be a JSON object of detector settings, got ${JSON.stringify(rawSettings)}`);
  }
  let detectorSettings: ResolvedDetectorSettings;
  let acknowledgements: ReadonlyMap<string, number>;
  let relearnRequests: ReadonlyMap<string, number>;
  try {
    // Operators' requests travel with the detector's settings: one variable, one schema, one check.
    const resolved = resolveDetectionSettings(rawSettings, [...DETECTOR_SETTING_NAMES, ...OPERATOR_REQUEST_NAMES]);
    detectorSettings = Object.freeze(detectorPart(resolved));
    acknowledgements = epochMsPerAsset(resolved.acknowledge);
    relearnRequests = epochMsPerAsset(resolved.relearn);
  } catch (error) {
    throw new ConfigurationError(`environment variable ${ENV.detectorConfig} is invalid: ${(error as Error).message}`);
  }
  return {
    assetStatusTable: env.required(ENV.assetStatusTable),
    detectorStateTable: env.required(ENV.detectorStateTable),
    alertTopicArn: env.arn(ENV.alertTopicArn, 'sns'),
    archiveBucket: env.required(ENV.archiveBucket),
    dashboardUrl,
    detectorSettings,
    acknowledgements,
    relearnRequests,
    // The config schema's bounds (the chart sets the variable from config/<env>.yaml): both refuse the same values.
    statusHeartbeatSeconds: env.integer(ENV.statusHeartbeatSeconds, {
      min: DETECTION_SETTING_RULES.statusHeartbeatSeconds.min,
      max: DETECTION_SETTING_RULES.statusHeartbeatSeconds.max,
      default: DEFAULT_STATUS_HEARTBEAT_SECONDS,
    }),
    checkpointIntervalSeconds: env.integer(ENV.checkpointIntervalSeconds, { ...CHECKPOINT_INTERVAL_BOUNDS, default: DEFAULT_CHECKPOINT_INTERVAL_SECONDS }),
  };
}
