import { ENV, HOT_RETENTION_DAYS_BOUNDS, LAMBDA_LIMITS, LAMBDA_MEMORY_VARIABLE } from '../shared/constants';
import { Environment } from '../shared/Environment';
import { DEFAULT_MEMORY_MB } from './constants';

export interface StorerConfig {
  readonly readingsTable: string;
  readonly archiveBucket: string;
  readonly hotRetentionDays: number;
  /** Memory of the function in MB (sizes the bucket cache). */
  readonly memoryMb: number;
}

/** Reads and checks the storer's environment; throws ConfigurationError naming the variable. */
export function readStorerConfig(env: Environment = new Environment()): StorerConfig {
  return {
    readingsTable: env.required(ENV.readingsTable),
    archiveBucket: env.required(ENV.archiveBucket),
    hotRetentionDays: env.integer(ENV.hotRetentionDays, HOT_RETENTION_DAYS_BOUNDS),
    memoryMb: env.integer(LAMBDA_MEMORY_VARIABLE, { ...LAMBDA_LIMITS.memoryMb, default: DEFAULT_MEMORY_MB }),
  };
}
