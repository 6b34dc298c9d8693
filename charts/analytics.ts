import { Construct } from 'constructs';
import { LIMITS, QUARANTINE_PREFIX } from '../functions/shared/constants';
import { NamedQuery, NamedQuerySpecManagementPolicies, Workgroup, WorkgroupSpecManagementPolicies } from '../imports/athena.aws.m.upbound.io';
import { CatalogDatabase, CatalogDatabaseSpecManagementPolicies } from '../imports/glue.aws.m.upbound.io';
import { FIREHOSE_BUFFERING } from './archive';
import { AccessStatement } from './constructs/LeastPrivilegeRole';
import { OperatorPolicy } from './constructs/OperatorPolicy';
import { ProjectedJsonTable, ProjectedPartition, TableColumn } from './constructs/ProjectedJsonTable';
import { EnvironmentConfig } from './lib/config';
import { contentTag } from './lib/contentTag';
import { crossplaneMetadata } from './lib/crossplaneMetadata';
import { crossplaneSpec } from './lib/crossplaneSpec';
import { PlatformNames } from './lib/names';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';
import { platformKeyAccess } from './lib/platformKeyAccess';
import { platformTags } from './lib/platformTags';
import { rawPrefix } from './lib/rawPrefix';

/** A column of a JSON table and the JSON key it reads (the SerDe matches keys case-insensitively; Glue keeps names lower case). */
export interface JsonColumn extends TableColumn {
  readonly jsonKey: string;
}

const column = (jsonKey: string, type: string, comment: string): JsonColumn => ({ jsonKey, name: jsonKey.toLowerCase(), type, comment });

/**
 * What Firehose archives under raw/: each Kinesis record as it is, one JSON object per line. Telemetry
 * records are the device payload of data contract v1 plus the fields the telemetry rule adds
 * (charts/lib/telemetrySql.ts); presence records carry `recordType: presence` and no readings.
 */
export const RAW_RECORD_COLUMNS: readonly JsonColumn[] = [
  column('schemaVersion', 'int', 'data contract version (1)'),
  column('assetId', 'string', 'asset the readings belong to'),
  column('seq', 'bigint', 'optional per-device message counter'),
  column('readings', 'array<struct<metric:string,value:double,unit:string,ts:bigint,quality:string>>', 'ts epoch ms; quality GOOD, UNCERTAIN or BAD, missing means GOOD'),
  column('plantId', 'string', 'topic rule: topic level 2'),
  column('lineId', 'string', 'topic rule: topic level 3'),
  column('thingName', 'string', 'topic rule: topic level 4'),
  column('clientId', 'string', 'topic rule: MQTT client id'),
  column('receivedAt', 'bigint', 'topic rule: IoT Core arrival, epoch ms'),
  column('recordType', 'string', 'presence for connect/disconnect events, absent for telemetry'),
  column('eventType', 'string', 'presence: connected or disconnected'),
];

/** What the stream functions write under quarantine/<function>/ (functions/shared/QuarantineWriter.ts), without the record's bytes. */
export const QUARANTINE_COLUMNS: readonly JsonColumn[] = [
  column('reason', 'string', 'stable reason code (QUARANTINE_REASONS)'),
  column('detail', 'string', 'what was wrong, for people'),
  column('shardId', 'string', 'Kinesis shard of the record'),
  column('sequenceNumber', 'string', 'Kinesis sequence number of the record'),
  column('partitionKey', 'string', 'Kinesis partition key (the asset id)'),
  column('arrivedAt', 'string', 'arrival in the stream, ISO 8601'),
  column('quarantinedAt', 'string', 'when the function quarantined it, ISO 8601'),
  column('part', 'string', 'the storer overflow part, when a record was split'),
];

/** The first year partition projection offers: the archive's first objects (2025); queries name the year anyway. */
export const ARCHIVE_FIRST_YEAR = 2025;
export const ARCHIVE_LAST_YEAR = 2099;

const timePartitions = (comment: string): ProjectedPartition[] => [
  { name: 'year', comment: `${comment}: year`, projection: { type: 'integer', range: [ARCHIVE_FIRST_YEAR, ARCHIVE_LAST_YEAR] } },
  { name: 'month', comment: `${comment}: month, 01-12`, projection: { type: 'integer', range: [1, 12], digits: 2 } },
  { name: 'day', comment: `${comment}: day, 01-31`, projection: { type: 'integer', range: [1, 31], digits: 2 } },
  { name: 'hour', comment: `${comment}: hour, 00-23`, projection: { type: 'integer', range: [0, 23], digits: 2 } },
];

/** Raw records: the Firehose prefix (charts/lib/rawPrefix.ts) with `${partition}` for its timestamp fields. */
export const RAW_PARTITIONS: readonly ProjectedPartition[] = timePartitions('arrival in Firehose, UTC');
/** Quarantined records of the stream functions: quarantine/<function>/YYYY/MM/DD/HH/<shard>/<sequence>.json. */
export const QUARANTINE_PARTITIONS: readonly ProjectedPartition[] = [
  { name: 'source', comment: 'the function that quarantined the record', projection: { type: 'enum', values: ['processor', 'storer'] } },
  ...timePartitions('arrival in the stream, UTC'),
];

/** The location template of the raw table: Firehose's prefix expression with each timestamp field as a partition. */
function rawLocationTemplate(names: PlatformNames): string {
  const template = rawPrefix(names)
    .replace('!{timestamp:yyyy}', '${year}')
    .replace('!{timestamp:MM}', '${month}')
    .replace('!{timestamp:dd}', '${day}')
    .replace('!{timestamp:HH}', '${hour}');
  return `s3://${names.archiveBucket}/${template}`;
}

/**
 * Per-query limit on the bytes Athena scans (10 GiB, about 5 cents): a day of the raw archive at the
 * prod plant is about 1.5 GB of GZIP (1,455,000 B/s of JSON at ~10:1), so a query over a week of one
 * sensor fits, while a query that forgets the partition filter is cancelled instead of billed for years.
 */
export const BYTES_SCANNED_CUTOFF = 10 * 1024 ** 3;
/** Athena's query results are a cache for the person who ran the query: a week is plenty. */
export const ATHENA_RESULTS_EXPIRATION_DAYS = 7;

/** One named query: SQL that Athena (Trino) and DuckDB both accept, with `?` execution parameters in order. */
export interface AnalyticsQuery {
  readonly id: string;
  readonly description: string;
  readonly parameters: readonly string[];
  readonly sql: string;
}

/**
 * Readings of a raw record, one row each, with each reading's place in its record (1 for the first),
 * `r.n`. Trino expands an array of rows into one column per field; DuckDB spells the same with a
 * lateral unnest (the one translation, test/helpers/archiveDuckDb.ts).
 */
const UNNEST_READINGS_NUMBERED = 'CROSS JOIN UNNEST(readings) WITH ORDINALITY AS r (metric, value, unit, ts, quality, n)';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The execution parameter of a day: one quoted string, `'2026-01-02'`. */
export const DAY_PARAMETER = "day ('YYYY-MM-DD', quoted)";
/** Athena's execution parameters are positional: a query that needs the day in several places takes it once for each. */
export const SAME_DAY_PARAMETER = "the same day ('YYYY-MM-DD', quoted)";

/**
 * The asked day as a DATE, typed by the SQL and not by the text given: Athena pastes each execution
 * parameter into the SQL as it is, so `'2026-01-02'` is the day, while an unquoted 2026-01-02 is integer
 * arithmetic, which the cast refuses. The partition strings are then derived from the date: no number,
 * or unpadded `'1'`, ever meets a string partition column ('01').
 */
const ASKED_DATE = 'CAST(? AS DATE)';
/** The date `days` after the asked one (before it when negative). The outer cast: Trino's date ± interval is a date, DuckDB's a timestamp. */
const askedDatePlus = (days: number): string => (days === 0 ? ASKED_DATE : `CAST(${ASKED_DATE} ${days < 0 ? '-' : '+'} INTERVAL '${Math.abs(days)}' DAY AS DATE)`);
/** Where each date partition's value lies in a date's ISO text (`2026-01-02`): zero-padded, as projection writes it. */
const DATE_TEXT_PARTS = { year: [1, 4], month: [6, 2], day: [9, 2] } as const;
type DatePartition = keyof typeof DATE_TEXT_PARTS;
const DATE_PARTITIONS = Object.keys(DATE_TEXT_PARTS) as DatePartition[];
/**
 * A date partition's value for a date. Once Athena has pasted the parameters it is a constant
 * expression, which Trino folds, so an equality or IN on the partition column prunes the projected
 * partitions; a filter that combines partition columns makes projection list every partition of its
 * ranges (each hour of the years ARCHIVE_FIRST_YEAR to ARCHIVE_LAST_YEAR, some 670,000) and test each.
 */
const partitionValue = (partition: DatePartition, date: string): string => `substr(CAST(${date} AS VARCHAR), ${DATE_TEXT_PARTS[partition][0]}, ${DATE_TEXT_PARTS[partition][1]})`;
/** The partitions of arrivals on the asked day. */
const ARRIVED_ON_DAY = DATE_PARTITIONS.map((partition) => `${partition} = ${partitionValue(partition, ASKED_DATE)}`).join(' AND ');
/** The parameters of a piece of SQL whose every `?` is the day. */
const dayParameters = (sql: string): string[] => (sql.match(/\?/g) ?? []).map((_, index) => (index === 0 ? DAY_PARAMETER : SAME_DAY_PARAMETER));

/**
 * Arrival hours before a UTC day that can hold readings of it. Firehose names an object, and so puts it
 * in a partition, after the arrival of the oldest record it holds, and keeps taking records for its
 * buffer interval; a device clock may run LIMITS.maxTimestampAheadMs ahead of the arrival. A reading
 * of 00:00 can therefore lie in an object named up to 10 minutes earlier: the previous day's last hour.
 */
export const DAY_EARLY_ARRIVAL_HOURS = Math.ceil((FIREHOSE_BUFFERING.intervalSeconds * 1000 + LIMITS.maxTimestampAheadMs) / HOUR_MS);

/**
 * Arrival hours after a UTC day searched for its late readings (a gateway sending what it buffered
 * through an outage): arrivals until the end of the next day. The hot tier accepts readings up to
 * LIMITS.maxTimestampAgeMs (7 days) old, but searching a week of arrivals would scan 8 days of the
 * archive (about 12 GB at the prod plant), past BYTES_SCANNED_CUTOFF; one day doubles the bytes
 * (about 3 GB). Readings that arrive later are in the hot tier and not in the day's aggregates.
 */
export const DAY_LATE_ARRIVAL_HOURS = 24;

/** The first and last arrival hour searched for a day's readings, counted from the day's 00:00. */
const FIRST_ARRIVAL_HOUR = -DAY_EARLY_ARRIVAL_HOURS;
const LAST_ARRIVAL_HOUR = 23 + DAY_LATE_ARRIVAL_HOURS;
/** The days of the first and last of those hours, counted from the asked day: the day before and the next day. */
export const ARRIVAL_DAYS = { first: Math.floor(FIRST_ARRIVAL_HOUR / 24), last: Math.floor(LAST_ARRIVAL_HOUR / 24) } as const;

/** The UTC hour a raw object arrived in, from its partition (NULL for the 31st of a short month, which projection lists too). */
const ARRIVAL_HOUR = "TRY_CAST(concat(year, '-', month, '-', day, ' ', hour, ':00:00') AS TIMESTAMP)";
/** Start of the UTC day a `YYYY-MM-DD` parameter names. */
const ASKED_DAY = `CAST(${ASKED_DATE} AS TIMESTAMP)`;
/**
 * The years of the arrival days, for pruning (partitionValue): the date_diff filter below combines the
 * partition columns, so without this projection would test some 670,000 partitions; with it, those of
 * one year (two across a year end), about 9,000. The days span less than a year, so their years are
 * those of the first and last. Pruning on month and day too would take the day three more times, each
 * a place for an operator to type another day by mistake, to save a planning step that is cheap at this size.
 */
const ARRIVAL_YEARS = `year IN (${partitionValue('year', askedDatePlus(ARRIVAL_DAYS.first))}, ${partitionValue('year', askedDatePlus(ARRIVAL_DAYS.last))})`;
/** Exactly the partitions that can hold readings of the asked day: an expression of the partition columns only. */
const ARRIVALS_FOR_DAY = `date_diff('hour', ${ASKED_DAY}, ${ARRIVAL_HOUR}) BETWEEN ${FIRST_ARRIVAL_HOUR} AND ${LAST_ARRIVAL_HOUR}`;
/** The reading's timestamp is in [start of the asked day, start of the next day). */
const READING_IN_DAY = `r.ts - r.ts % ${DAY_MS} = date_diff('millisecond', TIMESTAMP '1970-01-01 00:00:00', ${ASKED_DAY})`;

/** A reading the hot tier accepts (functions/shared/validateTelemetryMessage.ts), judged against the record's receivedAt. */
const readingAccepted = (x: string): string =>
  [
    `${x}.metric IS NOT NULL`,
    `${x}.value IS NOT NULL`,
    `abs(${x}.value) <= ${LIMITS.maxAbsValue.toExponential()}`,
    `(${x}.value = 0 OR abs(${x}.value) >= ${LIMITS.minAbsNonZeroValue.toExponential()})`,
    `${x}.ts IS NOT NULL`,
    `${x}.ts BETWEEN receivedat - ${LIMITS.maxTimestampAgeMs} AND receivedat + ${LIMITS.maxTimestampAheadMs}`,
    `(${x}.quality IS NULL OR ${x}.quality IN ('GOOD', 'UNCERTAIN', 'BAD'))`,
  ].join(' AND ');

/**
 * A telemetry record the hot tier stores: the rules of validateTelemetryMessage that SQL of both
 * engines can state. One reading out of the contract quarantines the whole record, so the record is
 * kept only when no reading fails. The stream functions judge timestamps against the arrival on the
 * stream, which the archive does not keep; receivedAt (IoT Core's arrival, a moment earlier) stands in.
 * What is not checked here is listed in docs/queries.md.
 */
export const RECORD_ACCEPTED = [
  'schemaversion = 1',
  // Without it a record the hot tier quarantines (unknownAsset) would be counted as the readings of a NULL asset.
  'assetid IS NOT NULL',
  'plantid IS NOT NULL',
  'lineid IS NOT NULL',
  'clientid = thingname',
  'receivedat IS NOT NULL',
  `filter(readings, x -> NOT COALESCE(${readingAccepted('x')}, false)) = ARRAY[]`,
].join(' AND ');

/**
 * The named queries, the common questions of the archive. The partitions (UTC arrival hour) are what
 * limits the bytes scanned; readings are grouped by their own timestamp. Only the records the hot tier
 * accepts count, so the archive and the hot tier agree on the readings they aggregate. Archived records
 * are every record the stream got, so a device's resend appears twice: the sensor aggregates keep one
 * reading per timestamp, the one the storer keeps (functions/storer/mergeIntoBucket.ts): of the records
 * that carry it the first to arrive, and within that record its last reading of the timestamp (a
 * correction). The storer keeps the first it stores, which is the first to arrive in stream order but
 * not after a redrive out of order (docs/queries.md).
 */
export const ANALYTICS_QUERIES: readonly AnalyticsQuery[] = [
  {
    id: 'hourly-sensor-aggregates',
    description: 'Hourly count, avg, min, max, sum and population stddev of one sensor over the readings that are not BAD, for the readings of one UTC day (arrived from the last hour before it to the end of the next day)',
    // Athena's execution parameters are positional: the day is given twice for the years, once for the arrival hours, once for the readings.
    parameters: [...dayParameters([ARRIVAL_YEARS, ARRIVALS_FOR_DAY, READING_IN_DAY].join(' ')), 'assetId', 'metric'],
    sql: [
      `SELECT ts - (ts % ${HOUR_MS}) AS hour_start_ms, COUNT(*) AS readings, AVG(value) AS avg_value, MIN(value) AS min_value,`,
      '  MAX(value) AS max_value, SUM(value) AS sum_value, STDDEV_POP(value) AS stddev_value',
      'FROM (',
      "  SELECT r.ts AS ts, r.value AS value, COALESCE(r.quality, 'GOOD') AS quality,",
      '    ROW_NUMBER() OVER (PARTITION BY r.ts ORDER BY receivedat, r.n DESC) AS kept_rank',
      `  FROM raw_records ${UNNEST_READINGS_NUMBERED}`,
      `  WHERE ${ARRIVAL_YEARS}`,
      `    AND ${ARRIVALS_FOR_DAY}`,
      `    AND ${READING_IN_DAY}`,
      '    AND assetid = ? AND r.metric = ?',
      `    AND ${RECORD_ACCEPTED}`,
      ') AS readings_of_sensor',
      "WHERE kept_rank = 1 AND quality IN ('GOOD', 'UNCERTAIN')",
      `GROUP BY ts - (ts % ${HOUR_MS})`,
      'ORDER BY hour_start_ms',
    ].join('\n'),
  },
  {
    id: 'daily-data-quality',
    description:
      'Per asset, the readings that arrived on one UTC day in records the hot tier accepts, one per sensor and timestamp as the hot tier keeps it (a resend or a second delivery by Firehose counts once), and the share of them that are BAD and UNCERTAIN',
    parameters: dayParameters(ARRIVED_ON_DAY),
    // One reading per sensor and timestamp, chosen as in hourly-sensor-aggregates: Firehose delivers at least
    // once and a device resends, so counting archived readings would weigh the duplicated stretches twice.
    sql: [
      'SELECT asset_id, COUNT(*) AS readings,',
      "  CAST(SUM(CASE WHEN quality = 'BAD' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS bad_share,",
      "  CAST(SUM(CASE WHEN quality = 'UNCERTAIN' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS uncertain_share",
      'FROM (',
      '  SELECT assetid AS asset_id, r.quality AS quality,',
      '    ROW_NUMBER() OVER (PARTITION BY assetid, r.metric, r.ts ORDER BY receivedat, r.n DESC) AS kept_rank',
      `  FROM raw_records ${UNNEST_READINGS_NUMBERED}`,
      `  WHERE ${ARRIVED_ON_DAY}`,
      `    AND ${RECORD_ACCEPTED}`,
      ') AS readings_of_day',
      'WHERE kept_rank = 1',
      'GROUP BY asset_id',
      'ORDER BY asset_id',
    ].join('\n'),
  },
  {
    id: 'quarantine-counts',
    description:
      'Records quarantined by each stream function per reason, for one UTC day (both functions see every record, so each counts it; a record the storer set readings of aside in several full buckets counts once)',
    parameters: dayParameters(ARRIVED_ON_DAY),
    // Records, not objects: the storer writes one BUCKET_FULL object per record and full bucket, all under
    // the record's arrival hour, so a record is its shard and sequence number.
    sql: [
      'SELECT source, reason, COUNT(*) AS records',
      'FROM (',
      '  SELECT DISTINCT source, reason, shardid, sequencenumber',
      '  FROM quarantine_records',
      `  WHERE ${ARRIVED_ON_DAY}`,
      ') AS quarantined_records',
      'GROUP BY source, reason',
      'ORDER BY source, reason',
    ].join('\n'),
  },
];

/**
 * What an analyst (or Grafana's Athena data source) needs: queries in the platform's workgroup only,
 * the catalog of its database, read access to raw/ and to the stream functions' quarantine prefixes,
 * read and write of the workgroup's results, and the key through S3 (Athena reads and writes S3 with
 * the caller's identity). Nothing of the hot tier, and no write outside athena-results/.
 */
function analystAccess(config: EnvironmentConfig, names: PlatformNames): AccessStatement[] {
  const bucket = names.archiveBucketArn;
  const readable = [`${names.archiveRawPrefix}*`, `${QUARANTINE_PREFIX}processor/*`, `${QUARANTINE_PREFIX}storer/*`];
  const dataCatalog = `arn:aws:athena:${config.region}:${config.accountId}:datacatalog/AwsDataCatalog`;
  return [
    {
      sid: 'QueryInPlatformWorkgroup',
      actions: [
        'athena:BatchGetNamedQuery', 'athena:BatchGetQueryExecution', 'athena:GetNamedQuery', 'athena:GetQueryExecution', 'athena:GetQueryResults',
        'athena:GetQueryRuntimeStatistics', 'athena:GetWorkGroup', 'athena:ListNamedQueries', 'athena:ListQueryExecutions', 'athena:StartQueryExecution',
        'athena:StopQueryExecution',
      ],
      resources: [names.athenaWorkgroupArn],
    },
    {
      sid: 'BrowseDataCatalog',
      // Grafana's Athena data source and the console list databases and tables through Athena.
      actions: ['athena:GetDataCatalog', 'athena:GetDatabase', 'athena:GetTableMetadata', 'athena:ListDatabases', 'athena:ListTableMetadata'],
      resources: [dataCatalog],
    },
    {
      sid: 'ListWorkgroups',
      actions: ['athena:ListDataCatalogs', 'athena:ListWorkGroups'],
      resources: ['*'],
      wildcardResourceReason: 'Athena list actions support no resource-level permissions',
    },
    {
      sid: 'ReadArchiveCatalog',
      actions: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables'],
      resources: [names.glueCatalogArn, names.glueDatabaseArn, names.glueTableArn(names.rawTable), names.glueTableArn(names.quarantineTable)],
    },
    { sid: 'LocateArchiveBucket', actions: ['s3:GetBucketLocation'], resources: [bucket] },
    {
      sid: 'ListArchivePrefixes',
      actions: ['s3:ListBucket'],
      resources: [bucket],
      conditions: { StringLike: { 's3:prefix': [...readable, `${names.athenaResultsPrefix}*`] } },
    },
    { sid: 'ReadArchive', actions: ['s3:GetObject'], resources: readable.map((prefix) => `${bucket}/${prefix}`) },
    {
      sid: 'ReadWriteQueryResults',
      actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
      resources: [`${bucket}/${names.athenaResultsPrefix}*`],
    },
    // Decrypt to read the archive and the results, GenerateDataKey to write results; through S3 only.
    platformKeyAccess(config, names, ['s3'], ['kms:Decrypt', 'kms:GenerateDataKey'], 'UseKeyThroughS3'),
  ];
}

/** Kubernetes object names of this chart's objects whose AWS names are not valid object names. */
function analyticsObjectNames(config: EnvironmentConfig): { database: string; rawTable: string; quarantineTable: string; namedQuery: (id: string, tag: string) => string } {
  return {
    database: `glue-telemetry-${config.suffix}`,
    rawTable: `glue-raw-records-${config.suffix}`,
    quarantineTable: `glue-quarantine-records-${config.suffix}`,
    namedQuery: (id, tag) => `athena-${id}-${tag}-${config.suffix}`,
  };
}

/**
 * The archive, queryable (Crossplane: Glue and Athena have no ACK controller): a Glue database with a
 * table over raw/ and one over the stream functions' quarantine prefixes, both with partition
 * projection; an Athena workgroup whose settings are enforced (results under athena-results/ with
 * SSE-KMS and the platform key, a bytes-scanned limit per query, engine v3, CloudWatch metrics);
 * named queries for the common questions; and the analysts' managed policy (ACK).
 */
export class AnalyticsChart extends PlatformChart {
  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    const { config, names } = this;
    const objects = analyticsObjectNames(config);
    const { providerConfigRef, managementPolicies } = crossplaneSpec(names);
    const tags = platformTags(config);
    const bucket = `s3://${names.archiveBucket}`;

    const databaseMetadata = crossplaneMetadata(config, names, objects.database, 'analytics');
    new CatalogDatabase(this, 'database', {
      metadata: { ...databaseMetadata, annotations: { ...databaseMetadata.annotations, 'crossplane.io/external-name': names.glueDatabase } },
      spec: {
        providerConfigRef,
        managementPolicies: managementPolicies as CatalogDatabaseSpecManagementPolicies[],
        forProvider: { region: config.region, catalogId: config.accountId, description: `Archive of plant telemetry ${config.environment} (s3://${names.archiveBucket})`, tags },
      },
    });

    new ProjectedJsonTable(this, 'raw-table', {
      config,
      names,
      objectName: objects.rawTable,
      tableName: names.rawTable,
      databaseName: names.glueDatabase,
      description: 'Every Kinesis record as Firehose archived it (GZIP JSON lines), by UTC hour of arrival',
      location: `${bucket}/${names.archiveRawPrefix}`,
      columns: RAW_RECORD_COLUMNS,
      partitions: RAW_PARTITIONS,
      locationTemplate: rawLocationTemplate(names),
      compression: 'gzip',
      // The lifecycle moves raw objects to Deep Archive (config retention.archiveTiers.deepArchiveDays);
      // without this Athena skips them even once restored, and a query of an old day finds nothing.
      readRestoredGlacierObjects: true,
    });
    new ProjectedJsonTable(this, 'quarantine-table', {
      config,
      names,
      objectName: objects.quarantineTable,
      tableName: names.quarantineTable,
      databaseName: names.glueDatabase,
      description: 'Records the stream functions quarantined, with the reason, by function and UTC hour of arrival',
      location: `${bucket}/${QUARANTINE_PREFIX}`,
      columns: QUARANTINE_COLUMNS,
      partitions: QUARANTINE_PARTITIONS,
      locationTemplate: `${bucket}/${QUARANTINE_PREFIX}\${source}/\${year}/\${month}/\${day}/\${hour}/`,
      compression: 'none',
      // The functions' quarantined objects stay in STANDARD (charts/storage.ts FUNCTION_QUARANTINE_TRANSITIONS).
      readRestoredGlacierObjects: false,
    });

    new Workgroup(this, 'workgroup', {
      metadata: crossplaneMetadata(config, names, names.athenaWorkgroup, 'analytics'),
      spec: {
        providerConfigRef,
        managementPolicies: managementPolicies as WorkgroupSpecManagementPolicies[],
        forProvider: {
          region: config.region,
          description: `Queries of the plant telemetry archive (${config.environment}); settings enforced`,
          state: 'ENABLED',
          // Deleting the environment deletes the workgroup with its named queries and history.
          forceDestroy: true,
          configuration: {
            enforceWorkgroupConfiguration: true,
            publishCloudwatchMetricsEnabled: true,
            bytesScannedCutoffPerQuery: BYTES_SCANNED_CUTOFF,
            requesterPaysEnabled: false,
            engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
            resultConfiguration: {
              outputLocation: `${bucket}/${names.athenaResultsPrefix}`,
              expectedBucketOwner: config.accountId,
              // The alias ARN, which S3 receives as the key header: the bucket policy admits only that one.
              encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKeyArn: names.kmsAliasArn },
            },
          },
          tags,
        },
      },
    });

    for (const query of ANALYTICS_QUERIES) {
      const forProvider = {
        region: config.region,
        name: query.id,
        description: `${query.description}. Parameters: ${query.parameters.join(', ')}`,
        database: names.glueDatabase,
        workgroup: names.athenaWorkgroup,
        query: query.sql,
      };
      new NamedQuery(this, `query-${query.id}`, {
        // Named by its content: Athena cannot update a named query, so an edited query is a new object (the old one is pruned).
        metadata: crossplaneMetadata(config, names, objects.namedQuery(query.id, contentTag(forProvider)), 'analyticsContents'),
        spec: {
          providerConfigRef,
          managementPolicies: managementPolicies as NamedQuerySpecManagementPolicies[],
          forProvider,
        },
      });
    }

    new OperatorPolicy(this, 'analyst-policy', {
      config,
      names,
      policyName: names.analystPolicy,
      description: 'Query the telemetry archive with Athena in the platform workgroup (analysts, Grafana Athena data source)',
      statements: analystAccess(config, names),
    });
  }
}
