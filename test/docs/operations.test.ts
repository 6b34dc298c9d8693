import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { rawPrefix } from '../../charts/archive';
import { listEnvironments } from '../../charts/lib/config';
import { alarmTable } from '../../charts/observability';
import { SHARD_LEVEL_METRICS } from '../../charts/stream';
import { METRIC_NAMES, METRICS_NAMESPACE_PREFIX } from '../../functions/shared/constants';
import { resolveDetectionSettings } from '../../functions/shared/detector';
import { platformProps } from '../helpers/platform';

const root = join(__dirname, '..', '..');
const runbook = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

/**
 * The metrics AWS documents, by namespace and full dimension set (names sorted), for the ones the
 * runbook reads: CloudWatch has no metric under another set, so `get-metric-data` would return nothing.
 */
const PUBLISHED: Readonly<Record<string, readonly string[]>> = {
  'AWS/Lambda FunctionName': ['ConcurrentExecutions', 'Duration', 'Errors', 'Invocations', 'IteratorAge', 'Throttles'],
  'AWS/DynamoDB TableName': ['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits', 'ReadThrottleEvents', 'WriteThrottleEvents'],
  // Stream level, always published; OutgoingBytes and OutgoingRecords exist only per shard.
  'AWS/Kinesis StreamName': ['GetRecords.Bytes', 'GetRecords.IteratorAgeMilliseconds', 'GetRecords.Records', 'IncomingBytes', 'IncomingRecords', 'ReadProvisionedThroughputExceeded', 'WriteProvisionedThroughputExceeded'],
  // Shard level: only the metrics the stream chart enables.
  'AWS/Kinesis ShardId,StreamName': SHARD_LEVEL_METRICS,
  'AWS/Firehose DeliveryStreamName': ['DataReadFromKinesisStream.Bytes', 'DataReadFromKinesisStream.Records', 'DeliveryToS3.DataFreshness', 'DeliveryToS3.Records', 'DeliveryToS3.Success'],
  'AWS/SQS QueueName': ['ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesVisible'],
  [`${METRICS_NAMESPACE_PREFIX}/$SUFFIX service`]: Object.values(METRIC_NAMES),
};

/** Every call of the runbook's `metric` helper (a command line, or inline code), without a trailing comment. */
function metricCalls(): string[] {
  return [...runbook.matchAll(/(?:^|`)metric ([^`\n]+)/gm)].map((match) => (match[1] as string).replace(/\s+#.*$/, '').trim());
}

/** The alarms the runbook has a section for: headings `### \`cw-<purpose>-<suffix>\``. */
function runbookPurposes(): string[] {
  return [...runbook.matchAll(/^###\s+`cw-([a-z0-9-]+)-<suffix>`\s*$/gm)].map((match) => match[1] as string);
}

describe('docs/operations.md', () => {
  it.each(listEnvironments())('has one section for every alarm %s renders, and none for an alarm that does not exist', (environment) => {
    const { config, names, capacity } = platformProps(environment);
    const rendered = alarmTable(config, names, capacity).map((row) => row.purpose);
    const documented = runbookPurposes();
    expect(documented.filter((purpose) => !rendered.includes(purpose))).toEqual([]);
    expect(rendered.filter((purpose) => !documented.includes(purpose))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
    // The physical names the sections stand for.
    for (const purpose of rendered) expect(names.alarmName(purpose)).toBe(`cw-${purpose}-${config.suffix}`);
  });

  it('names every alarm only by a rendered name anywhere in the text', () => {
    const { config, names, capacity } = platformProps('prod');
    const rendered = new Set(alarmTable(config, names, capacity).map((row) => row.purpose));
    const mentioned = [...runbook.matchAll(/cw-([a-z0-9-]+)-<suffix>/g)].map((match) => match[1] as string).filter((purpose) => purpose !== 'telemetry');
    expect(mentioned.filter((purpose) => !rendered.has(purpose))).toEqual([]);
  });

  it('gives each alarm section its meaning, causes, first checks, resolution and recovery check', () => {
    const sections = runbook.split(/^### /m).slice(1).filter((section) => section.startsWith('`cw-'));
    for (const section of sections) {
      const heading = section.split('\n')[0];
      expect([heading, /\*\*Means\.\*\*/.test(section)]).toEqual([heading, true]);
      expect([heading, /\*\*Confirm\.\*\*/.test(section)]).toEqual([heading, true]);
      expect([heading, /\*\*Resolve\.\*\*|\*\*First checks and resolve\.\*\*/.test(section)]).toEqual([heading, true]);
      expect([heading, /```sh|`(alarm_state|npm run|aws) /.test(section)]).toEqual([heading, true]);
    }
  });

  it.each([
    ['acknowledge', { 'pump-07': '2026-12-02T14:00:00Z' }],
    ['relearn', { 'pump-07': '2026-12-03T06:00:00Z' }],
  ] as const)("gives an example of %s that the config's schema accepts", (request, expected) => {
    const blocks = [...runbook.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] as string).filter((block) => block.includes(`${request}:`));
    expect(blocks).toHaveLength(1);
    const { detection } = parse(blocks[0] as string) as { detection: unknown };
    expect(resolveDetectionSettings(detection)[request]).toEqual(expected);
  });

  it('runs only npm scripts that exist (the planned query path only as planned)', () => {
    const used = [...new Set([...runbook.matchAll(/npm run (?:--silent )?([a-z:-]+)/g)].map((match) => match[1] as string))];
    expect(used.filter((script) => !scripts.includes(script) && script !== 'query')).toEqual([]);
    if (used.includes('query') && !scripts.includes('query')) expect(runbook).toMatch(/`npm run query`\) is planned/);
    expect(used).toEqual(expect.arrayContaining(['redrive', 'replay']));
  });

  it('restores from the prefix Firehose writes and the bucket the storage chart names', () => {
    const { config, names } = platformProps('dev');
    // raw/year=!{timestamp:yyyy}/month=!{timestamp:MM}/... as an operator reads it.
    const prefix = rawPrefix(names)
      .replace('!{timestamp:yyyy}', 'YYYY')
      .replace('!{timestamp:MM}', 'MM')
      .replace('!{timestamp:dd}', 'DD')
      .replace('!{timestamp:HH}', 'HH');
    expect(runbook).toContain(`s3://s3-archive-<account>-<suffix>/${prefix}`);
    expect(`s3-archive-${config.accountId}-${config.suffix}`).toBe(names.archiveBucket);
    expect(runbook).toContain('BUCKET=s3-archive-$ACCOUNT-$SUFFIX');
    expect(runbook).toMatch(/aws s3api restore-object --bucket \$BUCKET --key "\$key" \\\n\s+--restore-request '\{"Days":7,"GlacierJobParameters":\{"Tier":"Standard"\}\}'/);
    expect(runbook).toContain('--force-glacier-transfer');
  });

  it('reads the log groups and resources of the functions by their rendered names', () => {
    const { names } = platformProps('dev');
    const bySuffix = (name: string): string => name.replace(/-dev$/, '-$SUFFIX');
    expect(runbook).toContain(`PROCESSOR=${bySuffix(names.processorFunction)}`);
    expect(runbook).toContain(`STORER=${bySuffix(names.storerFunction)}`);
    expect(runbook).toContain(`STREAM=${bySuffix(names.stream)}`);
    expect(names.logGroup(names.processorFunction)).toBe(`/aws/lambda/${names.processorFunction}`);
    for (const table of [names.readingsTable, names.assetStatusTable, names.detectorStateTable]) expect(runbook).toContain(bySuffix(table));
    expect(runbook).toContain(bySuffix(names.firehose));
  });

  it('runs metric with one dimension, or two (a Kinesis shard-level metric is StreamName and ShardId together)', () => {
    const helper = /^metric\(\) \{.*?^\}$/ms.exec(runbook)?.[0];
    expect(helper).toBeDefined();
    // A stand-in for the AWS CLI that prints the metric query it was given.
    const stub = 'aws() { while [ $# -gt 0 ]; do [ "$1" = --metric-data-queries ] && printf %s "$2"; shift; done; }';
    const run = (args: string) => spawnSync('bash', ['-c', `${helper}\n${stub}\nmetric ${args}`], { encoding: 'utf8' });
    const dimensions = (args: string): unknown => (JSON.parse(run(args).stdout) as { MetricStat: { Metric: { Dimensions: unknown } } }[])[0]?.MetricStat.Metric.Dimensions;
    expect(dimensions('AWS/Kinesis GetRecords.Bytes StreamName kinesis-telemetry-prod Sum')).toEqual([{ Name: 'StreamName', Value: 'kinesis-telemetry-prod' }]);
    expect(dimensions('AWS/Kinesis OutgoingBytes StreamName kinesis-telemetry-prod Sum ShardId shardId-000000000000')).toEqual([
      { Name: 'StreamName', Value: 'kinesis-telemetry-prod' },
      { Name: 'ShardId', Value: 'shardId-000000000000' },
    ]);
    const halfDimension = run('AWS/Kinesis OutgoingBytes StreamName kinesis-telemetry-prod Sum ShardId');
    expect([halfDimension.status, halfDimension.stdout, halfDimension.stderr]).toEqual([
      2,
      '',
      'usage: metric <namespace> <metric> <dimension name> <dimension value> <statistic> [<second dimension name> <value>]\n',
    ]);
  });

  it('reads only metrics AWS (or the functions) publish, under the full dimension set they publish them with', () => {
    const calls = metricCalls();
    expect(calls).toEqual(expect.arrayContaining(['AWS/Kinesis GetRecords.Bytes StreamName $STREAM Sum', 'AWS/Kinesis OutgoingBytes StreamName $STREAM Sum ShardId shardId-000000000000']));
    const unpublished = calls.filter((call) => {
      const [namespace, metricName, firstName, , statistic, secondName, ...rest] = call.split(/\s+/);
      const dimensionNames = [firstName, ...(secondName === undefined ? [] : [secondName])].sort().join(',');
      const published = PUBLISHED[`${namespace} ${dimensionNames}`] ?? [];
      return rest.length !== (secondName === undefined ? 0 : 1) || !published.includes(metricName as string) || !/^(Sum|Maximum|Minimum|Average|SampleCount|p\d+(\.\d+)?)$/.test(statistic ?? '');
    });
    expect(unpublished).toEqual([]);
  });

  it('names the environment by $SUFFIX, which it sets, and no other variable for it', () => {
    expect(runbook).toContain('SUFFIX=prod');
    expect(runbook).not.toMatch(/\$\{?ENV\b/);
  });
});
