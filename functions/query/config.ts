import { ENV, HOT_RETENTION_DAYS_BOUNDS, IDENTIFIER_PATTERN, IDENTIFIER_PATTERN_TEXT } from '../shared/constants';
import { Environment } from '../shared/Environment';
import { ConfigurationError } from '../shared/errors';

export interface QueryConfig {
  readonly readingsTable: string;
  readonly assetStatusTable: string;
  readonly plantId: string;
  /** The readings' TTL (config `retention.hotDays`): a series reaching further back says where the hot tier starts. */
  readonly hotRetentionDays: number;
}

/** Reads and checks the query function's environment; throws ConfigurationError naming the variable. */
export function readQueryConfig(env: Environment = new Environment()): QueryConfig {
  const plantId = env.required(ENV.plantId);
  if (!IDENTIFIER_PATTERN.test(plantId)) throw new ConfigurationError(`environment variable ${ENV.plantId} must match ${IDENTIFIER_PATTERN_TEXT}, got ${JSON.stringify(plantId)}`);
  return {
    readingsTable: env.required(ENV.readingsTable),
    assetStatusTable: env.required(ENV.assetStatusTable),
    plantId,
    hotRetentionDays: env.integer(ENV.hotRetentionDays, HOT_RETENTION_DAYS_BOUNDS),
  };
}
