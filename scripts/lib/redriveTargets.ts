import { FIREHOSE_BUFFERING, rawPrefix } from '../../charts/archive';
import { ConfigError, loadEnvironmentConfig } from '../../charts/lib/config';
import { PlatformNames } from '../../charts/lib/names';
import type { StreamFunction } from '../../charts/processing';
import { RedriveError } from './RedriveError';

/** One stream function as the redrive tool invokes it. */
export interface RedriveFunction {
  readonly fn: StreamFunction;
  readonly name: string;
  readonly arn: string;
  /** The function's execution role: what a mapping puts in each record's invokeIdentityArn. */
  readonly roleArn: string;
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
  /** Firehose's raw prefix expression (`raw/year=!{timestamp:yyyy}/...`), see charts/archive.ts. */
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

const HOUR_MS = 3_600_000;

/**
 * The hourly archive prefixes (`s3://bucket/raw/year=.../hour=HH/`, UTC) that can hold records that
 * arrived in the stream between `firstArrivalMs` and `lastArrivalMs`: Firehose names an object after
 * the arrival of the oldest record it buffered, so the hour of a buffering interval earlier counts too.
 */
export function archivePrefixes(targets: RedriveTargets, firstArrivalMs: number, lastArrivalMs: number): string[] {
  const prefixes: string[] = [];
  const from = Math.floor((firstArrivalMs - targets.archiveBufferingSeconds * 1000) / HOUR_MS);
  const to = Math.floor(Math.max(firstArrivalMs, lastArrivalMs) / HOUR_MS);
  for (let hour = from; hour <= to; hour += 1) {
    const iso = new Date(hour * HOUR_MS).toISOString();
    const prefix = targets.archivePrefixExpression
      .replace('!{timestamp:yyyy}', iso.slice(0, 4))
      .replace('!{timestamp:MM}', iso.slice(5, 7))
      .replace('!{timestamp:dd}', iso.slice(8, 10))
      .replace('!{timestamp:HH}', iso.slice(11, 13));
    prefixes.push(`s3://${targets.archiveBucket}/${prefix}`);
  }
  return prefixes;
}
