import { join } from 'node:path';
import { QUARANTINE_PREFIX } from '../../functions/shared/constants';
import { UsageError } from './fleet/UsageError';
import type { LocalManifests } from './local/LocalManifests';
import { readManifests } from './local/readManifests';
import { TopicRule } from './local/TopicRule';
import { RedriveError } from './RedriveError';
import type { RedriveTargets } from './redriveTargets';

const REPOSITORY = join(__dirname, '..', '..');

/** The only prefix the redrive policy lets the tool list and read (charts/processing.ts). */
export const IOT_QUARANTINE_PREFIX = `${QUARANTINE_PREFIX}iot/`;

/** One rendered topic rule whose Kinesis action failures the tool replays. */
export interface ReplayableRule {
  /** The rule as the local pipeline runs it: its SQL and substitution templates, from the rendered manifest. */
  readonly rule: TopicRule;
  readonly streamName: string;
  /** The Kinesis action's partition key template (`${assetId}`). */
  readonly partitionKeyTemplate: string;
  /** The error action's key template up to its `${newuuid()}`: an hour's folder once a time is substituted. */
  readonly folderTemplate: string;
}

/** What `--quarantine iot` works on: the rendered rules of the environment, checked against its config. */
export interface IotReplayTargets {
  readonly environment: string;
  readonly region: string;
  readonly bucket: string;
  readonly streamName: string;
  readonly rules: readonly ReplayableRule[];
}

/**
 * The error-action key template cut before `${newuuid()}`, when the rest depends on the time only: the
 * tool lists folders by time, so a key naming the topic or client could not be listed.
 */
function folderTemplateOf(rule: string, key: string): string {
  const uuidAt = key.indexOf('${newuuid()}');
  const folder = uuidAt < 0 ? '' : key.slice(0, uuidAt);
  const substitutions = [...folder.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1] ?? '');
  if (uuidAt < 0 || substitutions.length !== 1 || !/^parse_time\(.*timestamp\(\)\s*\)$/.test(substitutions[0] ?? '')) {
    throw new RedriveError(`rule ${rule}: error action key "${key}" is not <prefix>\${parse_time("...", timestamp())}/\${newuuid()}.json, so its objects cannot be listed by time`);
  }
  if (!folder.startsWith(IOT_QUARANTINE_PREFIX)) {
    throw new RedriveError(`rule ${rule}: error action key "${key}" is outside ${IOT_QUARANTINE_PREFIX}, the only prefix the redrive policy may read`);
  }
  return folder;
}

/**
 * Reads `manifests/<env>/` as the local pipeline does and keeps the topic rules with a Kinesis action and
 * an S3 error action. The rendered manifests are what Argo CD applied, so they, not a copy of the SQL,
 * say what the rule put; they must name the bucket and stream the config does (else: run npm run synth).
 */
export function iotReplayTargets(targets: RedriveTargets, manifestsDirectory: string = join(REPOSITORY, 'manifests', targets.environment)): IotReplayTargets {
  let specs: LocalManifests['topicRules'];
  try {
    specs = readManifests(manifestsDirectory, targets.environment).topicRules;
  } catch (error) {
    if (error instanceof UsageError) throw new RedriveError(error.message);
    throw error;
  }
  const rules: ReplayableRule[] = [];
  for (const spec of specs) {
    if (spec.kinesis === undefined || spec.errorS3 === undefined) continue;
    const stale = (what: string, rendered: string, configured: string): RedriveError =>
      new RedriveError(`rule ${spec.name} in ${manifestsDirectory} names ${what} ${rendered}, config/${targets.environment}.yaml ${configured}; run npm run synth`);
    if (spec.errorS3.bucketName !== targets.archiveBucket) throw stale('bucket', spec.errorS3.bucketName, targets.archiveBucket);
    if (spec.kinesis.streamName !== targets.streamName) throw stale('stream', spec.kinesis.streamName, targets.streamName);
    rules.push({
      rule: new TopicRule(spec),
      streamName: spec.kinesis.streamName,
      partitionKeyTemplate: spec.kinesis.partitionKey,
      folderTemplate: folderTemplateOf(spec.name, spec.errorS3.key),
    });
  }
  if (rules.length === 0) throw new RedriveError(`${manifestsDirectory} renders no topic rule with a Kinesis action and an S3 error action`);
  return { environment: targets.environment, region: targets.region, bucket: targets.archiveBucket, streamName: targets.streamName, rules };
}
