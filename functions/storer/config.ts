import { ENV } from '../shared/constants';
import { Environment } from '../shared/Environment';

export interface StorerConfig {
  readonly readingsTable: string;
  readonly archiveBucket: string;
  readonly hotRetentionDays: number;
}

/** Reads and checks the storer's environment; throws ConfigurationError naming the variable. */
export function readStorerConfig(env: Environment = new Environment()): StorerConfig {
  return {
    readingsTable: env.required(ENV.readingsTable),
    archiveBucket: env.required(ENV.archiveBucket),
    hotRetentionDays: env.integer(ENV.hotRetentionDays, { min: 1, max: 3650 }),
  };
}
