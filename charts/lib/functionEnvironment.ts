import { ENV } from '../../functions/shared/constants';
import { detectorPart, OPERATOR_REQUEST_NAMES } from '../../functions/shared/detector';
import { environmentBytes, MAX_ENVIRONMENT_BYTES } from '../constructs/BundledFunction';
import { ConfigError, EnvironmentConfig } from './config';
import { PlatformNames } from './names';

/** The two stream functions; each is also its folder under functions/ and its Powertools service name. */
export type StreamFunction = 'processor' | 'storer';

/** Environment variables of each function (names from functions/shared/constants.ts). */
export function functionEnvironment(config: EnvironmentConfig, names: PlatformNames, fn: StreamFunction): Record<string, string> {
  const powertools = {
    [ENV.powertoolsServiceName]: fn,
    [ENV.powertoolsMetricsNamespace]: names.metricsNamespace,
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
  if (fn === 'storer') {
    return {
      ...powertools,
      [ENV.readingsTable]: names.readingsTable,
      [ENV.archiveBucket]: names.archiveBucket,
      [ENV.hotRetentionDays]: String(config.retention.hotDays),
    };
  }
  const { detection } = config;
  // Operators' requests ride in DETECTOR_CONFIG only when there are any, so none leaves the function unchanged.
  const requests = OPERATOR_REQUEST_NAMES.filter((name) => Object.keys(detection[name]).length > 0).map((name) => [name, detection[name]]);
  const detector = { ...detectorPart(detection), ...Object.fromEntries(requests) };
  const environment = {
    ...powertools,
    [ENV.assetStatusTable]: names.assetStatusTable,
    [ENV.detectorStateTable]: names.detectorStateTable,
    [ENV.alertTopicArn]: names.alertTopicArn,
    [ENV.archiveBucket]: names.archiveBucket,
    [ENV.dashboardUrl]: names.dashboardUrl,
    // Every detector setting of the config, defaults resolved: what replay was tuned with is what runs.
    [ENV.detectorConfig]: JSON.stringify(detector),
    [ENV.statusHeartbeatSeconds]: String(detection.statusHeartbeatSeconds),
  };
  // The detection block is the one part of it that grows with the config (limits, acknowledge, relearn):
  // over Lambda's limit, name that block, its size and what to prune, not just the function's variables.
  const bytes = environmentBytes(environment);
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    const detectorBytes = Buffer.byteLength(environment[ENV.detectorConfig]);
    throw new ConfigError(
      config.sourceFile,
      'detection',
      `${detectorBytes} bytes as the processor's ${ENV.detectorConfig}`,
      `the processor's environment would be ${bytes} bytes, over Lambda's ${MAX_ENVIRONMENT_BYTES}; the detection block may take at most ${MAX_ENVIRONMENT_BYTES - (bytes - detectorBytes)} bytes: remove acknowledge and relearn entries that have been applied, or limits of metrics no asset has`,
    );
  }
  return environment;
}
