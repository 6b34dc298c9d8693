import { ENV } from '../shared/constants';
import { Environment } from '../shared/Environment';

/**
 * The function's memory, which the Lambda runtime sets (not the chart). Outside Lambda (tests, a
 * script) it is absent: assume Lambda's smallest size, so a cache sized from it never over-commits.
 */
export const LAMBDA_MEMORY = { variable: 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', minMb: 128, maxMb: 10_240, defaultMb: 128 } as const;

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
    hotRetentionDays: env.integer(ENV.hotRetentionDays, { min: 1, max: 3650 }),
    memoryMb: env.integer(LAMBDA_MEMORY.variable, { min: LAMBDA_MEMORY.minMb, max: LAMBDA_MEMORY.maxMb, default: LAMBDA_MEMORY.defaultMb }),
  };
}
