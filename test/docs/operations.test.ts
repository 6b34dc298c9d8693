import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { rawPrefix } from '../../charts/lib/rawPrefix';
import { listEnvironments } from '../../charts/lib/listEnvironments';
import { PRICES } from '../../charts/lib/prices';
import { alarmTable } from '../../charts/lib/alarmTable';
import { functionEnvironment } from '../../charts/lib/functionEnvironment';
import { SHARD_LEVEL_METRICS } from '../../charts/stream';
import { DEFAULT_CHECKPOINT_INTERVAL_SECONDS } from '../../functions/processor/constants';
import { ENV, METRIC_NAMES, METRICS_NAMESPACE_PREFIX } from '../../functions/shared/constants';
import { resolveDetectionSettings } from '../../functions/shared/detector';
import { QueryLimitError } from '../../functions/shared/errors';
import { QUERY_LIMITS } from '../../functions/shared/query/constants';
import { QueryService } from '../../functions/shared/query/QueryService';
import { READ_CAPACITY_BUDGET, type SeriesReader } from '../../functions/shared/query/SeriesReader';
import type { MinuteBucket } from '../../functions/shared/query/types';
import { parseQueryArgs } from '../../scripts/lib/queryArgs';
import { planQuery } from '../../scripts/lib/planQuery';
import { runQuery } from '../../scripts/lib/runQuery';
import { committedObjects, platformProps } from '../helpers/platform';

const root = join(__dirname, '..', '..');
const runbook = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
/** The runbook's text with every line break and indentation as one space, for phrases that wrap. */
const flat = runbook.replace(/\s+/g, ' ');
const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

/**
 * The metrics AWS documents, by namespace and full dimension set (names sorted), for the ones the
 * runbook reads: CloudWatch has no metric under another set, so `get-metric-data` would return nothing.
 */
const PUBLISHED: Readonly<Record<string, readonly string[]>> = {
  'AWS/Lambda FunctionName': ['ConcurrentExecutions', 'DestinationDeliveryFailures', 'Duration', 'Errors', 'Invocations', 'IteratorAge', 'Throttles'],
  'AWS/DynamoDB TableName': ['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits', 'ReadThrottleEvents', 'WriteThrottleEvents'],
  // A global secondary index's own figures, under the table and index names together.
  'AWS/DynamoDB GlobalSecondaryIndexName,TableName': ['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits', 'ReadThrottleEvents', 'WriteThrottleEvents'],
  // The rule metrics that carry RuleName alone (the action metrics add ActionType).
  'AWS/IoT RuleName': ['ParseError', 'RuleMessageThrottled', 'RuleNotFound', 'TopicMatch'],
  // Stream level, always published; OutgoingBytes and OutgoingRecords exist only per shard.
  'AWS/Kinesis StreamName': ['GetRecords.Bytes', 'GetRecords.IteratorAgeMilliseconds', 'GetRecords.Records', 'IncomingBytes', 'IncomingRecords', 'ReadProvisionedThroughputExceeded', 'WriteProvisionedThroughputExceeded'],
  // Shard level: only the metrics the stream chart enables.
  'AWS/Kinesis ShardId,StreamName': SHARD_LEVEL_METRICS,
  'AWS/Firehose DeliveryStreamName': ['DataReadFromKinesisStream.Bytes', 'DataReadFromKinesisStream.Records', 'DeliveryToS3.DataFreshness', 'DeliveryToS3.Records', 'DeliveryToS3.Success'],
  'AWS/SQS QueueName': ['ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesVisible'],
  [`${METRICS_NAMESPACE_PREFIX}/$SUFFIX service`]: Object.values(METRIC_NAMES),
};

/**
 * The fields AWS IoT documents for the AWSIotLogsV2 entries of the message broker and the rules engine
 * (the common attributes and those of Connect, Publish-In, RuleExecution, RuleMessageThrottled, RuleNotFound
 * and their siblings), and the event types of those entries: an Insights filter on another name matches nothing.
 */
const IOT_LOG_FIELDS = ['timestamp', 'logLevel', 'traceId', 'accountId', 'status', 'eventType', 'protocol', 'clientId', 'principalId', 'sourceIp', 'sourcePort', 'topicName', 'ruleName', 'ruleAction', 'resources', 'reason', 'details', 'disconnectReason'];
const IOT_EVENT_TYPES = ['Connect', 'Disconnect', 'Publish-In', 'Publish-Out', 'Subscribe', 'FunctionExecution', 'RuleExecution', 'RuleMatch', 'RuleMessageThrottled', 'RuleNotFound', 'StartingRuleExecution'];
/** Words of the Logs Insights query language the runbook uses (commands, operators, functions). */
const INSIGHTS_WORDS = new Set(['filter', 'fields', 'stats', 'sort', 'limit', 'by', 'as', 'asc', 'desc', 'and', 'or', 'not', 'in', 'like', 'parse', 'count', 'sum', 'min', 'max', 'avg', 'pct', 'bin', 'ispresent', 'coalesce']);
/** Keys Powertools Logger adds to every line of the functions (with `addContext`). */
const POWERTOOLS_KEYS = ['level', 'message', 'service', 'timestamp', 'function_request_id', 'cold_start', 'xray_trace_id'];

/** The field names a Logs Insights query reads, aliases it defines (`as x`) and @-fields left out. */
function insightsFields(query: string): string[] {
  const bare = query.replace(/"[^"]*"/g, ' ').replace(/\/(?:\\.|[^/])*\//g, ' ');
  const aliases = new Set([...bare.matchAll(/\bas\s+(\w+)/g)].map((match) => match[1] as string));
  return [...bare.matchAll(/(?<![\w.@-])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*/g)]
    .map((match) => match[0])
    .filter((word) => !INSIGHTS_WORDS.has(word) && !aliases.has(word));
}

/** One logger call of the functions: its message (a RegExp for a template literal) and the keys of its fields. */
interface LoggerCall {
  readonly message: string;
  readonly pattern: RegExp;
  readonly keys: readonly string[];
}

/** The logger calls of the code one function bundles (its folder and functions/shared), tests left out. */
function loggerCalls(fn: 'processor' | 'storer' | 'query'): LoggerCall[] {
  const sources = (folder: string): string[] =>
    readdirSync(join(root, 'functions', folder), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .map((file) => readFileSync(join(root, 'functions', folder, file), 'utf8'));
  return [...sources(fn), ...sources('shared')].flatMap((source) =>
    [...source.matchAll(/logger\.(?:debug|info|warn|error)\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1\s*(,\s*\{)?/g)].map((match) => {
      const message = (match[2] as string).replace(/\\(.)/g, '$1');
      // The fields object: from its brace to the matching one.
      let fields = '';
      if (match[3] !== undefined) {
        let depth = 0;
        const start = (match.index ?? 0) + match[0].length - 1;
        for (let at = start; at < source.length; at += 1) {
          depth += source[at] === '{' ? 1 : source[at] === '}' ? -1 : 0;
          if (depth === 0) {
            fields = source.slice(start, at + 1);
            break;
          }
        }
      }
      const literal = message.split(/\$\{[^}]*\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      return {
        message,
        pattern: new RegExp(`^${literal.join('.*')}$`),
        keys: [...fields.matchAll(/(?:^|[{,])\s*(\w+)\s*(?=[:,}]|$)/gm)].map((key) => key[1] as string),
      };
    }),
  );
}

/** The runbook's Insights queries of one function's log group (`insights /aws/lambda/$PROCESSOR '...'`). */
function functionQueries(variable: 'PROCESSOR' | 'STORER' | 'QUERY'): string[] {
  return [...runbook.matchAll(new RegExp(`insights /aws/lambda/\\$${variable} '([^']*)'`, 'g'))].map((match) => match[1] as string);
}

/** Every call of the runbook's `metric` helper (a command line, or inline code), without a trailing comment. */
function metricCalls(): string[] {
  return [...runbook.matchAll(/(?:^|`)metric ([^`\n]+)/gm)].map((match) => (match[1] as string).replace(/\s+#.*$/, '').trim());
}

/** The alarms the runbook has a section for: headings `### \`cw-<purpose>-<suffix>\``. */
function runbookPurposes(): string[] {
  return [...runbook.matchAll(/^###\s+`cw-([a-z0-9-]+)-<suffix>`\s*$/gm)].map((match) => match[1] as string);
}

/** The runbook's `sh` block that holds `text`, its list indentation removed. */
function shellBlock(text: string): string {
  const blocks = [...runbook.matchAll(/^( *)```sh\n([\s\S]*?)^ *```$/gm)]
    .map(([, indent, body]) => (body as string).replace(new RegExp(`^${indent as string}`, 'gm'), ''))
    .filter((block) => block.includes(text));
  expect(blocks).toHaveLength(1);
  return blocks[0] as string;
}

/**
 * The hot tier of an asset whose sensors each read once a second, as SeriesReader answers: minute
 * buckets with their readings, stopping past `maxReadings` readings in the range (`overLimit`) or past
 * the read budget (a 1 Hz minute is about 1.4 KB; one read unit per 8 KB).
 */
const oneHertzReader: Pick<SeriesReader, 'read' | 'maxCapacityUnits'> = {
  maxCapacityUnits: READ_CAPACITY_BUDGET,
  read(_assetId, _metric, from, to, mode, maxReadings = Infinity) {
    const buckets: MinuteBucket[] = [];
    let readings = 0;
    let overLimit = false;
    for (let minute = Math.floor(from / 60_000) * 60_000; minute < to && !overLimit; minute += 60_000) {
      const ts = Array.from({ length: 60 }, (_, second) => second * 1000);
      buckets.push({ minute, count: 60, statsCount: 60, min: 1, max: 1, shift: 1, sum: 0, sumSquares: 0, readings: { ts, values: ts.map(() => 1), qualities: ts.map(() => 'GOOD' as const) } });
      readings += ts.filter((offset) => minute + offset >= from && minute + offset < to).length;
      overLimit = mode === 'readings' && readings > maxReadings;
    }
    const capacityUnits = Math.ceil((buckets.length * 1400) / 8192);
    return Promise.resolve({ buckets, itemsRead: buckets.length, capacityUnits, overLimit, overBudget: capacityUnits > READ_CAPACITY_BUDGET });
  },
};

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

  it.each([
    ['PROCESSOR', 'processor'],
    ['STORER', 'storer'],
    ['QUERY', 'query'],
  ] as const)("queries $%s's log group only for messages the %s logs, and only for the fields those lines carry", (variable, fn) => {
    const calls = loggerCalls(fn);
    const queries = functionQueries(variable);
    expect(queries.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const query of queries) {
      // message = "..." names one logger call; message like /.../ must match at least one.
      const exact = [...query.matchAll(/(?<![\w@])message\s*=\s*"([^"]*)"/g)].map((match) => match[1] as string);
      const likes = [...query.matchAll(/(?<![\w@])message\s+(?:not\s+)?like\s+\/((?:\\.|[^/])*)\//g)].map((match) => new RegExp(match[1] as string));
      for (const message of exact) if (!calls.some((call) => call.message === message)) problems.push(`no ${fn} line "${message}": ${query}`);
      for (const like of likes) if (!calls.some((call) => like.test(call.message))) problems.push(`no ${fn} line like ${like}: ${query}`);
      // A query of one message reads only that line's fields (and the ones Powertools adds to every line).
      const lines = calls.filter((call) => exact.length === 1 && call.message === exact[0]);
      if (lines.length === 0) continue;
      const keys = new Set([...POWERTOOLS_KEYS, ...lines.flatMap((call) => call.keys)]);
      for (const field of insightsFields(query)) if (!keys.has(field.split('.')[0] as string)) problems.push(`"${exact[0]}" has no field ${field}: ${query}`);
    }
    expect(problems).toEqual([]);
  });

  it('lists in its table only lines the functions log, with the fields they carry', () => {
    const calls = [...loggerCalls('processor'), ...loggerCalls('storer'), ...loggerCalls('query')];
    const rows = [...runbook.matchAll(/^\| (.+?) \| (?:INFO|WARN|ERROR) \| (.*) \|$/gm)];
    expect(rows.length).toBeGreaterThan(5);
    const problems: string[] = [];
    for (const [, messages, fields] of rows) {
      const lines = [...(messages as string).matchAll(/`([^`]+)`/g)].map((match) => {
        const message = match[1] as string;
        const line = calls.find((call) => call.message === message || call.pattern.test(message));
        if (line === undefined) problems.push(`no line "${message}"`);
        return line;
      });
      // The fields a row names outside its remarks in parentheses: top-level keys, or error.<attribute>.
      const keys = lines.flatMap((line) => line?.keys ?? []);
      const named = [...(fields as string).replace(/\([^)]*\)/g, '').matchAll(/`([\w.]+)`/g)].map((match) => (match[1] as string).split('.')[0] as string);
      for (const name of named) if (!keys.includes(name)) problems.push(`${messages as string} has no field ${name}`);
    }
    expect(problems).toEqual([]);
  });

  it("reads AWSIotLogsV2 only by the fields and event types AWS IoT logs", () => {
    const queries = [...runbook.matchAll(/insights AWSIotLogsV2 '((?:[^'\n]|'\$SUFFIX')*)'/g)].map((match) => match[1] as string);
    expect(queries.length).toBeGreaterThan(5);
    const fields = queries.flatMap((query) => insightsFields(query.replace(/'\$SUFFIX'/g, '')));
    expect(fields.filter((field) => !IOT_LOG_FIELDS.includes(field))).toEqual([]);
    const eventTypes = queries.flatMap((query) => [...query.matchAll(/eventType = "([^"]*)"/g)].map((match) => match[1] as string));
    expect(eventTypes.filter((eventType) => !IOT_EVENT_TYPES.includes(eventType))).toEqual([]);
  });

  it('names the service of every function the charts render', () => {
    const rendered = new Set(
      committedObjects()
        .filter((object) => object.kind === 'Function')
        .map((object) => (object.spec as { environment?: { variables?: Record<string, string> } }).environment?.variables?.[ENV.powertoolsServiceName]),
    );
    const stated = /`service` \(([^)]*)\)/.exec(runbook)?.[1];
    expect(stated).toBeDefined();
    expect([...(stated as string).matchAll(/`(\w+)`/g)].map((match) => match[1]).sort()).toEqual([...rendered].sort());
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

  it("exports an anomaly's history with calls the query tool runs for an asset of three 1 Hz sensors, into one CSV", async () => {
    const block = shellBlock('npm run --silent replay');
    const folder = mkdtempSync(join(tmpdir(), 'operations-doc-'));
    try {
      // Stand-ins: npm records each command line and answers a query with the CSV the tool writes for raw.
      const stub = [
        'npm() { printf \'%s\\n\' "$*" >> calls',
        '  case " $* " in *" query "*) m=$(printf \'%s\\n\' "$@" | sed -n \'/^--metric$/{n;p;}\'); printf \'assetId,metric,t,value,quality\\npump-07,%s,2026-12-03T11:00:00.000Z,1,GOOD\\n\' "${m:-all}";; esac; }',
      ].join('\n');
      const run = spawnSync('bash', ['-euc', `${stub}\n${block}`], { cwd: folder, encoding: 'utf8' });
      expect([run.status, run.stderr]).toEqual([0, '']);
      const calls = readFileSync(join(folder, 'calls'), 'utf8').trimEnd().split('\n');
      const queries = calls.filter((call) => call.startsWith('run --silent query -- ')).map((call) => call.slice('run --silent query -- '.length).split(' '));
      expect(queries.length).toBeGreaterThan(0);
      // One CSV header, then the rows of every call.
      const csv = readFileSync(join(folder, 'export.csv'), 'utf8').trimEnd().split('\n');
      expect(csv[0]).toBe('assetId,metric,t,value,quality');
      expect(csv.filter((line) => line.startsWith('assetId,'))).toHaveLength(1);
      expect(csv).toHaveLength(queries.length + 1);

      const directory = { asset: () => Promise.resolve({ assetId: 'pump-07', status: 'OK', metrics: ['pressure', 'temperature', 'vibration'] }), lineAssets: () => Promise.resolve([]) };
      const service = new QueryService({ reader: oneHertzReader, directory, plantId: 'sp01' });
      const { config } = platformProps('prod');
      const now = Date.now();
      const metrics: string[] = [];
      for (const args of queries) {
        const options = parseQueryArgs(args);
        if (options === 'help') throw new Error('the export asks for help');
        const plan = planQuery(options, { environment: config.environment, lines: config.plant.lines }, now);
        expect(plan.kind).toBe('sensor');
        if (plan.kind !== 'sensor') continue;
        expect(plan.query.step).toBe('raw');
        expect(plan.query.to - plan.query.from).toBe(QUERY_LIMITS.maxRawRangeMs);
        const result = await runQuery(plan, service);
        expect(result.kind === 'series' ? result.series.map((series) => series.points.length) : []).toEqual([86_400]);
        metrics.push(plan.query.metric);
      }
      expect(metrics.sort()).toEqual(['pressure', 'temperature', 'vibration']);

      // The whole asset in one call, as the runbook once wrote it, is over the limit it states.
      const whole = parseQueryArgs('--env prod --asset pump-07 --from -24h --step raw --format csv'.split(' '));
      if (whole === 'help') throw new Error('help');
      await expect(runQuery(planQuery(whole, { environment: 'prod', lines: config.plant.lines }, now), service)).rejects.toThrow(QueryLimitError);
      expect(flat).toContain(`at most ${QUERY_LIMITS.maxRawRangeMs / 3_600_000} hours and returns at most ${QUERY_LIMITS.maxPoints.toLocaleString('en-US')} readings, all the series of the call together`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('quotes the Deep Archive restore prices of charts/lib/prices.ts and their ratio', () => {
    const standard = PRICES.s3.deepArchiveStandardRestoreGb.usd;
    const bulk = PRICES.s3.deepArchiveBulkRestoreGb.usd;
    expect(flat).toContain(`(about $${standard}/GB)`);
    expect(flat).toContain(`(about $${bulk}/GB)`);
    expect(flat).toContain(`$${bulk} against $${standard} per GB, about ${Math.round((100 * bulk) / standard)}% of the Standard tier's price`);
  });

  it("looks up an assumed role's CloudTrail events by the role that issued the session, not by user name", () => {
    const { names } = platformProps('dev');
    // For an assumed role, the user name CloudTrail's lookup matches is the session's name, never the role's.
    expect(runbook).not.toContain('AttributeKey=Username');
    const block = shellBlock('aws cloudtrail lookup-events');
    expect(block).toContain('--lookup-attributes AttributeKey=EventSource,AttributeValue=kms.amazonaws.com');
    expect(block).toContain(`--arg role ${names.firehoseRole.replace(/-dev$/, '-$SUFFIX')}`);
    expect(block).toContain('select(.userIdentity.sessionContext.sessionIssuer.userName == $role and .errorCode != null)');
  });

  it('tells how to change the checkpoint interval as what it is while no chart renders it: a code change', () => {
    const { config, names } = platformProps('prod');
    expect(Object.keys(functionEnvironment(config, names, 'processor'))).not.toContain(ENV.checkpointIntervalSeconds);
    expect(DEFAULT_CHECKPOINT_INTERVAL_SECONDS).toBe(60);
    expect(flat).toContain('the processor checkpoints an asset at most once a minute (`DEFAULT_CHECKPOINT_INTERVAL_SECONDS`');
    expect(flat).toContain(`A longer interval is a code change by pull request: set \`${ENV.checkpointIntervalSeconds}\`, which the processor reads, in its environment`);
  });

  it('names the environment by $SUFFIX, which it sets, and no other variable for it', () => {
    expect(runbook).toContain('SUFFIX=prod');
    expect(runbook).not.toMatch(/\$\{?ENV\b/);
  });
});
