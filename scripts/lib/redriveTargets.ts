import { FIREHOSE_BUFFERING } from '../../charts/archive';
import { ConfigError } from '../../charts/lib/config';
import type { StreamFunction } from '../../charts/lib/functionEnvironment';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { PlatformNames } from '../../charts/lib/names';
import { rawPrefix } from '../../charts/lib/rawPrefix';
import { FUNCTION_SETTINGS } from '../../charts/processing';
import { RedriveError } from './RedriveError';

/** One stream function as the redrive tool invokes it. */
export interface RedriveFunction {
  readonly fn: StreamFunction;
  readonly name: string;
  readonly arn: string;
  /** The function's execution role: what a mapping puts in each record's invokeIdentityArn. */
  readonly roleArn: string;
  /** Most records its mapping delivers at once: the function's timeout is sized for it. */
  readonly batchSize: number;
}

/** Everything of one environment the redrive tool touches, by the deterministic names of charts/lib/names.ts. */
export interface RedriveTargets {
  readonly environment: string;
  readonly region: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly streamName: string;
  readonly streamArn: string;
  readonly functions: Readonly<Record<StreamFunction, RedriveFunction>>;
  readonly archiveBucket: string;
  /** Firehose's raw prefix expression (`raw/year=!{timestamp:yyyy}/...`), see charts/lib/rawPrefix.ts. */
  readonly archivePrefixExpression: string;
  /** Firehose buffers this long, so an object's hour may be that much older than a record's arrival. */
  readonly archiveBufferingSeconds: number;
}

/** The targets of `config/<environment>.yaml`; a config that does not load is a RedriveError naming --env. */
export function redriveTargets(environment: string, configDir?: string): RedriveTargets {
  let names: PlatformNames;
  let region: string;
  try {
    const config = configDir === undefined ? loadEnvironmentConfig(environment) : loadEnvironmentConfig(environment, configDir);
    names = new PlatformNames(config);
    region = config.region;
  } catch (error) {
    if (error instanceof ConfigError) throw new RedriveError(`--env ${environment}: ${error.message}`);
    throw error;
  }
  const fn = (name: StreamFunction, functionName: string, roleName: string): RedriveFunction => ({
    fn: name,
    name: functionName,
    arn: names.functionArn(functionName),
    roleArn: names.roleArn(roleName),
    batchSize: FUNCTION_SETTINGS[name].batchSize,
  });
  return {
    environment,
    region,
    queueUrl: names.deadLetterQueueUrl,
    queueArn: names.deadLetterQueueArn,
    streamName: names.stream,
    streamArn: names.streamArn,
    functions: {
      processor: fn('processor', names.processorFunction, names.processorRole),
      storer: fn('storer', names.storerFunction, names.storerRole),
    },
    archiveBucket: names.archiveBucket,
    archivePrefixExpression: rawPrefix(names),
    archiveBufferingSeconds: FIREHOSE_BUFFERING.intervalSeconds,
  };
}
