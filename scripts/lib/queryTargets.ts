import { ConfigError } from '../../charts/lib/config';
import { listEnvironments } from '../../charts/lib/listEnvironments';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { PlatformNames } from '../../charts/lib/names';
import { QueryInputError } from '../../functions/shared/errors';
import { unknownEnvironment } from './unknownEnvironment';

/** What `npm run query` reads in one environment, by the deterministic names of charts/lib/names.ts. */
export interface QueryTargets {
  readonly environment: string;
  readonly region: string;
  readonly readingsTable: string;
  readonly assetStatusTable: string;
  readonly plantId: string;
  /** The plant's lines (config `plant.lines`): the only values `--line` may take. */
  readonly lines: readonly string[];
  /** The readings' TTL (config `retention.hotDays`): older readings are the archive's. */
  readonly hotDays: number;
  /** Where the archive is queried, named when a range reaches back before the hot tier. */
  readonly athenaWorkgroup: string;
  readonly glueDatabase: string;
}

/** The tables of `config/<environment>.yaml`; an unknown environment or a broken file is a QueryInputError naming --env. */
export function queryTargets(environment: string, configDir?: string): QueryTargets {
  const known = configDir === undefined ? listEnvironments() : listEnvironments(configDir);
  // Named as the flag, not as the file it would be: config/<name>.yaml does not exist.
  if (!known.includes(environment)) throw new QueryInputError('--env', unknownEnvironment(environment, known));
  try {
    const config = configDir === undefined ? loadEnvironmentConfig(environment) : loadEnvironmentConfig(environment, configDir);
    const names = new PlatformNames(config);
    return {
      environment,
      region: config.region,
      readingsTable: names.readingsTable,
      assetStatusTable: names.assetStatusTable,
      plantId: config.plant.id,
      lines: config.plant.lines,
      hotDays: config.retention.hotDays,
      athenaWorkgroup: names.athenaWorkgroup,
      glueDatabase: names.glueDatabase,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const message = error.message.split('\n')[0];
    throw new QueryInputError('--env', `--env ${environment}: ${message} (environments: ${known.join(', ')})`);
  }
}
