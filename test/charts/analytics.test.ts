import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { S3Client } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  ANALYTICS_QUERIES,
  AnalyticsChart,
  type AnalyticsQuery,
  ARRIVAL_DAYS,
  BYTES_SCANNED_CUTOFF,
  DAY_EARLY_ARRIVAL_HOURS,
  DAY_LATE_ARRIVAL_HOURS,
  DAY_PARAMETER,
  QUARANTINE_COLUMNS,
  RAW_RECORD_COLUMNS,
  SAME_DAY_PARAMETER,
} from '../../charts/analytics';
import { ArchiveChart, FIREHOSE_BUFFERING } from '../../charts/archive';
import { READ_RESTORED_GLACIER_OBJECTS } from '../../charts/constructs/ProjectedJsonTable';
import { contentTag } from '../../charts/lib/contentTag';
import { CREATE_ONLY_KINDS } from '../../charts/lib/createOnlyFields';
import { telemetrySql } from '../../charts/lib/telemetrySql';
import { rawTransitions } from '../../charts/lib/rawTransitions';
import { FUNCTION_QUARANTINE_TRANSITIONS } from '../../charts/storage';
import { LIMITS, QUARANTINE_REASONS } from '../../functions/shared/constants';
import { CircuitBreaker } from '../../functions/shared/CircuitBreaker';
import { Deadline } from '../../functions/shared/Deadline';
import { ValidationError } from '../../functions/shared/errors';
import { QuarantineWriter } from '../../functions/shared/QuarantineWriter';
import type { Quality } from '../../functions/shared/types';
import { validateTelemetryMessage } from '../../functions/shared/validateTelemetryMessage';
import { athenaExecutionSql, createViewSql, toDuckDbSql, type GlueTableSpec } from '../helpers/archiveDuckDb';
import { findObject, platformProps, RenderedObject, synthChart } from '../helpers/platform';
import { deviceReading, kinesisOrigin, lambdaContext, presence, telemetry } from '../helpers/records';

const props = platformProps('dev');
const { config, names } = props;
const render = (): RenderedObject[] => synthChart((app, p) => new AnalyticsChart(app, 'analytics', p));

/** What the rendered Firehose writes to S3 (charts/archive.ts), as Crossplane sends it to AWS. */
interface FirehoseS3Destination {
  bucketArn: string;
  prefix: string;
  customTimeZone: string;
  compressionFormat: string;
  processingConfiguration: { enabled: boolean; processors: { type: string }[] };
}
const renderedFirehose = (): FirehoseS3Destination =>
  (findObject(synthChart((app, p) => new ArchiveChart(app, 'archive', p)), 'DeliveryStream').spec as { forProvider: { extendedS3Configuration: FirehoseS3Destination } }).forProvider.extendedS3Configuration;

interface TableForProvider {
  databaseName: string;
  parameters: Record<string, string>;
  partitionKeys: { name: string; type: string }[];
  storageDescriptor: { location: string; columns: { name: string; type: string }[]; serDeInfo: { serializationLibrary: string; parameters: Record<string, string> } };
}
const tableOf = (objects: readonly RenderedObject[], object: string): TableForProvider => (findObject(objects, 'CatalogTable', object).spec as { forProvider: TableForProvider }).forProvider;
const glueSpec = (name: string, table: TableForProvider): GlueTableSpec => ({
  name,
  columns: table.storageDescriptor.columns,
  partitionKeys: table.partitionKeys,
  parameters: table.parameters,
  location: table.storageDescriptor.location,
  ignoreMalformed: table.storageDescriptor.serDeInfo.parameters['ignore.malformed.json'] === 'true',
});

describe('AnalyticsChart', () => {
  const objects = render();
  /** A named query's object and its forProvider block, by the query's name. */
  const findQuery = (id: string): { metadata: RenderedObject['metadata']; forProvider: Record<string, unknown> } => {
    const forProviderOf = (object: RenderedObject): Record<string, unknown> => (object.spec?.forProvider ?? {}) as Record<string, unknown>;
    const found = objects.find((object) => object.kind === 'NamedQuery' && forProviderOf(object).name === id);
    if (found === undefined) throw new Error(`no named query ${id}`);
    return { metadata: found.metadata, forProvider: forProviderOf(found) };
  };

  test('names each named query by its content, so an edited query is a new object and the old one is pruned (Athena cannot update one; the create-only policy would refuse the edit)', () => {
    const query = findQuery('daily-data-quality');
    expect(query.metadata.name).toMatch(/^athena-daily-data-quality-[0-9a-f]{8}-dev$/);
    const { forProvider } = query;
    expect(contentTag(forProvider)).toBe(contentTag({ ...forProvider }));
    for (const field of ['name', 'query', 'description', 'database', 'workgroup']) {
      expect(contentTag({ ...forProvider, [field]: `${String(forProvider[field])} ` })).not.toBe(contentTag(forProvider));
    }
    // Every field the create-only policy guards for a NamedQuery is in what the tag covers.
    const guarded = CREATE_ONLY_KINDS.find((entry) => entry.kind === 'NamedQuery')?.fields.map((field) => field.path.replace('/spec/forProvider/', '')) ?? [];
    expect(guarded.length).toBeGreaterThan(0);
    for (const path of guarded) expect(Object.keys(forProvider)).toContain(path);
  });

  test('renders the Glue database and two tables, the workgroup, the named queries (Crossplane, analytics wave) and the analyst policy', () => {
    expect(objects).toMatchSnapshot();
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      'CatalogDatabase/glue-telemetry-dev',
      'CatalogTable/glue-raw-records-dev',
      'CatalogTable/glue-quarantine-records-dev',
      'Workgroup/athena-telemetry-dev',
      ...ANALYTICS_QUERIES.map((query) => `NamedQuery/athena-${query.id}-${contentTag(findQuery(query.id).forProvider)}-dev`),
      'Policy/iam-analyst-dev',
    ]);
    expect(findObject(objects, 'CatalogDatabase').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '3', 'crossplane.io/external-name': 'glue_telemetry_dev' });
    expect(findObject(objects, 'CatalogTable', 'glue-raw-records-dev').metadata.annotations?.['crossplane.io/external-name']).toBe('raw_records');
    // Tables and named queries name their database and workgroup by plain name, with no reference to wait
    // on: a later wave, so AWS never sees one before its container (Argo CD fails a sync whose earlier wave
    // ends Degraded).
    const wave = (object: (typeof objects)[number]): number => Number(object.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    const containers = objects.filter((object) => object.kind === 'CatalogDatabase' || object.kind === 'Workgroup');
    const contents = objects.filter((object) => object.kind === 'CatalogTable' || object.kind === 'NamedQuery');
    expect(contents).toHaveLength(5);
    for (const content of contents) for (const container of containers) expect(wave(content)).toBeGreaterThan(wave(container));
    for (const object of objects.filter((candidate) => candidate.apiVersion.includes('upbound.io'))) {
      expect(object.spec).toMatchObject({ providerConfigRef: { kind: 'ProviderConfig', name: 'aws-dev' }, forProvider: { region: 'sa-east-1' } });
      expect((object.spec as { managementPolicies: string[] }).managementPolicies).toContain('Delete');
    }
  });

  test('the raw table reads Firehose\'s GZIP JSON lines with projection on its prefix: no crawler, no partitions to add', () => {
    const raw = tableOf(objects, 'glue-raw-records-dev');
    expect(raw.databaseName).toBe('glue_telemetry_dev');
    expect(raw.storageDescriptor.location).toBe(`s3://${names.archiveBucket}/raw/`);
    expect(raw.storageDescriptor.serDeInfo).toMatchObject({ serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', parameters: { 'ignore.malformed.json': 'true', 'case.insensitive': 'true' } });
    expect(raw.parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.year.type': 'integer',
      'projection.month.digits': '2',
      'projection.hour.range': '0,23',
      'storage.location.template': `s3://${names.archiveBucket}/raw/year=\${year}/month=\${month}/day=\${day}/hour=\${hour}/`,
      compressionType: 'gzip',
    });
    // The template is the rendered Firehose's prefix (in UTC) with its timestamp fields as partitions, in the bucket it writes to.
    const firehose = renderedFirehose();
    expect(firehose.customTimeZone).toBe('UTC');
    expect(firehose.bucketArn).toBe(`arn:aws:s3:::${names.archiveBucket}`);
    expect(raw.parameters['storage.location.template']?.replace(/\$\{(\w+)\}/g, (_, name: string) => `!{timestamp:${{ year: 'yyyy', month: 'MM', day: 'dd', hour: 'HH' }[name]}}`)).toBe(`s3://${names.archiveBucket}/${firehose.prefix}`);
    // GZIP objects of newline-delimited records: what the JSON SerDe reads line by line.
    expect([firehose.compressionFormat, raw.parameters.compressionType]).toEqual(['GZIP', 'gzip']);
    expect(firehose.processingConfiguration).toEqual({ enabled: true, processors: [{ type: 'AppendDelimiterToRecord' }] });
    // Projection covers every value the prefix can take from now on.
    expect([raw.parameters['projection.year.range'], raw.parameters['projection.month.range'], raw.parameters['projection.day.range']]).toEqual(['2025,2099', '1,12', '1,31']);
    expect(Number(raw.parameters['projection.year.range']?.split(',')[0])).toBeLessThanOrEqual(new Date().getUTCFullYear());
  });

  test('the raw table reads restored Deep Archive objects, where the lifecycle moves raw/; quarantine/ stays in STANDARD and its table does not say it', () => {
    // Athena skips Glacier Flexible Retrieval and Deep Archive objects, even restored, unless the table says so.
    const skipped = ['GLACIER', 'DEEP_ARCHIVE'];
    expect(rawTransitions(config.retention.archiveTiers).map((step) => step.storageClass).filter((storageClass) => skipped.includes(storageClass))).toEqual(['DEEP_ARCHIVE']);
    expect(READ_RESTORED_GLACIER_OBJECTS).toBe('read_restored_glacier_objects');
    expect(tableOf(objects, 'glue-raw-records-dev').parameters[READ_RESTORED_GLACIER_OBJECTS]).toBe('true');
    expect(FUNCTION_QUARANTINE_TRANSITIONS).toEqual([]);
    expect(tableOf(objects, 'glue-quarantine-records-dev').parameters).not.toHaveProperty(READ_RESTORED_GLACIER_OBJECTS);
    // The restored objects are read by engine version 3 only: the workgroup's.
    expect((findObject(objects, 'Workgroup').spec as { forProvider: { configuration: { engineVersion: unknown } } }).forProvider.configuration.engineVersion).toEqual({ selectedEngineVersion: 'Athena engine version 3' });
  });

  test('the raw columns are the data contract v1 plus every field the telemetry rule adds, in lower case', () => {
    const columns = tableOf(objects, 'glue-raw-records-dev').storageDescriptor.columns.map((column) => column.name);
    const ruleFields = [...telemetrySql(config).matchAll(/ AS (\w+)/g)].map((match) => (match[1] ?? '').toLowerCase());
    expect(ruleFields).toEqual(['plantid', 'lineid', 'thingname', 'clientid', 'receivedat']);
    expect(columns).toEqual(expect.arrayContaining([...Object.keys(telemetry()).map((key) => key.toLowerCase()), ...ruleFields, 'recordtype']));
    expect(RAW_RECORD_COLUMNS.every((column) => column.name === column.jsonKey.toLowerCase())).toBe(true);
  });

  test('the workgroup enforces results under athena-results/ with SSE-KMS (the alias the bucket policy admits) and a bytes-scanned limit', () => {
    const workgroup = (findObject(objects, 'Workgroup').spec as { forProvider: { configuration: Record<string, unknown>; forceDestroy: boolean } }).forProvider;
    expect(workgroup.forceDestroy).toBe(true);
    expect(workgroup.configuration).toEqual({
      enforceWorkgroupConfiguration: true,
      publishCloudwatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: BYTES_SCANNED_CUTOFF,
      requesterPaysEnabled: false,
      engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
      resultConfiguration: {
        outputLocation: `s3://${names.archiveBucket}/athena-results/`,
        expectedBucketOwner: config.accountId,
        encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKeyArn: names.kmsAliasArn },
      },
    });
  });

  test('the analyst policy: Athena in the workgroup, the catalog of the database, raw/ and the functions\' quarantine read-only, results read-write, the key through S3', () => {
    const statements = (JSON.parse((findObject(objects, 'Policy').spec as { policyDocument: string }).policyDocument) as { Statement: { Sid: string; Action: string[]; Resource: string[] }[] }).Statement;
    const bySid = Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));
    expect(bySid.ReadArchive?.Resource).toEqual([`${names.archiveBucketArn}/raw/*`, `${names.archiveBucketArn}/quarantine/processor/*`, `${names.archiveBucketArn}/quarantine/storer/*`]);
    expect(bySid.ReadWriteQueryResults?.Resource).toEqual([`${names.archiveBucketArn}/athena-results/*`]);
    expect(statements.flatMap((statement) => statement.Action).filter((action) => /^s3:(Put|Delete)/.test(action))).toEqual(['s3:PutObject']);
    expect(bySid.QueryInPlatformWorkgroup?.Resource).toEqual([names.athenaWorkgroupArn]);
  });
});

describe('the archive in DuckDB: tables and named queries on objects laid out as Firehose and the functions write them', () => {
  const objects = render();
  const bucketUri = `s3://${names.archiveBucket}/`;
  const root = mkdtempSync(join(tmpdir(), 'archive-'));
  const DAY_START = Date.UTC(2026, 0, 2);
  /** The day before DAY_START: its first minutes arrived in the previous year's last hour. */
  const NEW_YEAR = Date.UTC(2026, 0, 1);
  const HOUR = 3_600_000;
  let connection: DuckDBConnection;

  /** The telemetry rule's enrichment (charts/ingestion.ts telemetrySql): topic levels, the client id and the arrival time. */
  function applyTelemetryRule(device: Record<string, unknown>, topic: string, clientId: string, timestamp: number): Record<string, unknown> {
    const levels = topic.split('/');
    const added: Record<string, unknown> = {};
    for (const [, expression, alias] of telemetrySql(config).matchAll(/(\w+\(\d*\)) AS (\w+)/g)) {
      const level = /^topic\((\d)\)$/.exec(expression ?? '');
      if (level) added[alias ?? ''] = levels[Number(level[1]) - 1];
      else if (expression === 'clientid()') added[alias ?? ''] = clientId;
      else if (expression === 'timestamp()') added[alias ?? ''] = timestamp;
      else throw new Error(`applyTelemetryRule: no model of ${expression}`);
    }
    return { ...device, ...added };
  }

  /**
   * Writes records the way the rendered Firehose does (charts/archive.ts, read back from its manifest):
   * its prefix evaluated at the arrival time in its time zone, Firehose's object name, its compression,
   * and the delimiter its processor appends to each record (none without it).
   */
  const firehose = renderedFirehose();
  function firehoseObject(arrival: number, records: readonly string[], part: number): void {
    if (firehose.customTimeZone !== 'UTC' || firehose.compressionFormat !== 'GZIP') throw new Error('firehoseObject: this sample models a UTC prefix and GZIP objects');
    const iso = new Date(arrival).toISOString();
    const prefix = firehose.prefix.replace('!{timestamp:yyyy}', iso.slice(0, 4)).replace('!{timestamp:MM}', iso.slice(5, 7)).replace('!{timestamp:dd}', iso.slice(8, 10)).replace('!{timestamp:HH}', iso.slice(11, 13));
    expect(prefix).not.toContain('!{');
    const key = `${prefix}${names.firehose}-1-${iso.slice(0, 19).replace(/[T:]/g, '-')}-0a1b2c3d-${part}.gz`;
    const delimiter = firehose.processingConfiguration.processors.some((processor) => processor.type === 'AppendDelimiterToRecord') ? '\n' : '';
    mkdirSync(dirname(join(root, key)), { recursive: true });
    writeFileSync(join(root, key), gzipSync(records.map((record) => `${record}${delimiter}`).join('')));
  }

  interface ArchivedReading {
    readonly metric: string;
    readonly value: number;
    readonly ts: number;
    readonly quality: string;
  }
  interface Archived {
    readonly assetId: string;
    /** When Firehose began the object that holds the record: the object's name, and so its partition. */
    readonly objectAt: number;
    /** IoT Core's arrival, which orders the records that carry one reading as the stream does. */
    readonly receivedAt: number;
    readonly readings: readonly ArchivedReading[];
    /** The hot tier's verdict on the record: the reason it is quarantined for, undefined when it is stored. */
    readonly rejectedFor: string | undefined;
  }
  const archived: Archived[] = [];

  /** The hot tier's verdict (functions/shared/validateTelemetryMessage.ts), judged against receivedAt as the named queries judge it. */
  function hotTierVerdict(record: Record<string, unknown>): string | undefined {
    try {
      validateTelemetryMessage(JSON.parse(JSON.stringify(record)), record.receivedAt as number);
      return undefined;
    } catch (error) {
      if (error instanceof ValidationError) return error.reason;
      throw error;
    }
  }

  /** A telemetry record of the readings as the rule enriches it, arrived at receivedAt, noted as archived in the object begun at objectAt; its JSON line. */
  function telemetryLine(assetId: string, readings: readonly ArchivedReading[], receivedAt: number, objectAt: number): string {
    const { plantId: _p, lineId: _l, thingName: _t, clientId: _c, receivedAt: _r, ...device } = telemetry({ assetId, readings: readings.map((r) => deviceReading({ ...r, quality: r.quality as Quality })) });
    const record = applyTelemetryRule(device, `dt/${config.plant.id}/line-a/gw-01/telemetry`, 'gw-01', receivedAt);
    archived.push({ assetId, objectAt, receivedAt, readings: readings.map((r) => ({ ...r })), rejectedFor: hotTierVerdict(record) });
    return JSON.stringify(record);
  }

  /** A telemetry record of one valid reading whose device left out assetId, noted as archived with the asset ''; its JSON line. */
  function lineWithoutAssetId(reading: ArchivedReading, receivedAt: number, objectAt: number): string {
    const { plantId: _p, lineId: _l, thingName: _t, clientId: _c, receivedAt: _r, assetId: _a, ...device } = telemetry({ readings: [deviceReading({ ...reading, quality: reading.quality as Quality })] });
    const record = applyTelemetryRule(device, `dt/${config.plant.id}/line-a/gw-01/telemetry`, 'gw-01', receivedAt);
    archived.push({ assetId: '', objectAt, receivedAt, readings: [{ ...reading }], rejectedFor: hotTierVerdict(record) });
    return JSON.stringify(record);
  }

  /**
   * A sensor's readings every 10 s over [from, to), one record each arriving 40 ms after its reading, in
   * the objects Firehose makes of them: an object begins with the first record after the previous one
   * closed, is named after that record's arrival, and takes the records that arrive within its buffer interval.
   */
  function firehoseBuffered(assetId: string, from: number, to: number, value: (ts: number) => number, firstPart: number): number {
    let part = firstPart;
    let objectAt = from + 40;
    let lines: string[] = [];
    for (let ts = from; ts < to; ts += 10_000) {
      const arrival = ts + 40;
      if (arrival >= objectAt + FIREHOSE_BUFFERING.intervalSeconds * 1000) {
        firehoseObject(objectAt, lines, part);
        part += 1;
        objectAt = arrival;
        lines = [];
      }
      lines.push(telemetryLine(assetId, [{ metric: 'temperature', value: value(ts), ts, quality: 'GOOD' }], arrival, objectAt));
    }
    firehoseObject(objectAt, lines, part);
    return part + 1;
  }
  /** Each quarantined object written, with the record it is of (shard and sequence number). */
  const quarantined: { source: string; reason: string; arrival: number; record: string }[] = [];

  beforeAll(async () => {
    // Two hours around midnight of DAY_START: two assets at 1 reading/10 s, one in five readings UNCERTAIN, one in seven BAD.
    let part = 0;
    for (let hour = -1; hour < 2; hour += 1) {
      const lines: string[] = [];
      for (let second = 0; second < 3600; second += 10) {
        for (const assetId of ['pump-07', 'press-02']) {
          const ts = DAY_START + hour * HOUR + second * 1000;
          const index = second / 10;
          const quality: Quality = index % 7 === 0 ? 'BAD' : index % 5 === 0 ? 'UNCERTAIN' : 'GOOD';
          const readings = [{ metric: 'temperature', value: 60 + (index % 13) / 4, ts, quality }, { metric: 'pressure', value: 2 + (index % 3) / 8, ts, quality: 'GOOD' }];
          lines.push(telemetryLine(assetId, readings, ts + 40, DAY_START + hour * HOUR));
          // A device resend (MQTT QoS 1) every 100 messages: the same record twice in the archive.
          if (index % 100 === 1) lines.push(telemetryLine(assetId, readings, ts + 40, DAY_START + hour * HOUR));
        }
      }
      lines.push(JSON.stringify(presence({ timestamp: DAY_START + hour * HOUR })), '{not json', JSON.stringify(telemetry({ assetId: 'bad asset!' })).slice(0, 40));
      firehoseObject(DAY_START + hour * HOUR, lines, part);
      part += 1;
    }
    // Records the hot tier quarantines whole: a valid temperature reading of pump-07 beside one reading out of the
    // contract (a quality not in upper case, a magnitude out of range, a timestamp outside the window of its arrival).
    const rejected = DAY_START + HOUR / 2;
    const beside = (index: number, reading: Omit<ArchivedReading, 'metric'>): string =>
      telemetryLine('pump-07', [{ metric: 'temperature', value: 95, ts: rejected + index * 1000 + 5, quality: 'GOOD' }, { metric: 'pressure', ...reading }], rejected + index * 1000 + 45, rejected);
    const aheadTs = rejected + 5 * 1000 + 45 + LIMITS.maxTimestampAheadMs + 1;
    const oldTs = rejected + 6 * 1000 + 45 - LIMITS.maxTimestampAgeMs - 1;
    firehoseObject(rejected, [
      beside(0, { value: 2, ts: rejected, quality: 'bad' }),
      beside(1, { value: 2, ts: rejected, quality: 'Bad' }),
      beside(2, { value: LIMITS.maxAbsValue * 2, ts: rejected, quality: 'GOOD' }),
      beside(3, { value: -LIMITS.maxAbsValue * 2, ts: rejected, quality: 'GOOD' }),
      beside(4, { value: LIMITS.minAbsNonZeroValue / 10, ts: rejected, quality: 'GOOD' }),
      beside(5, { value: 2, ts: aheadTs, quality: 'GOOD' }),
      beside(6, { value: 2, ts: oldTs, quality: 'GOOD' }),
      lineWithoutAssetId({ metric: 'temperature', value: 95, ts: rejected + 7_005, quality: 'GOOD' }, rejected + 7_045, rejected),
    ], part);
    part += 1;
    // A sensor across both midnights of DAY_START in 300 s Firehose objects, one begun at 23:57:30: the first
    // minutes of each day lie in the previous day's hour 23. Then records of a gateway sending late: from the
    // previous day into this day's partitions, from this day into the next day's hour 00 (found), and two days
    // late, past DAY_LATE_ARRIVAL_HOURS (not found).
    const mixer = (ts: number): number => 40 + (ts / 10_000) % 17;
    const straddle = FIREHOSE_BUFFERING.intervalSeconds * 1000 / 2;
    part = firehoseBuffered('mixer-03', DAY_START - straddle, DAY_START + 10 * 60_000, mixer, part);
    part = firehoseBuffered('mixer-03', DAY_START + 24 * HOUR - straddle, DAY_START + 24 * HOUR + 10 * 60_000, mixer, part);
    // And across the new year before DAY_START: the first minutes of 2026-01-01 lie in 2025-12-31's hour 23.
    part = firehoseBuffered('mixer-03', NEW_YEAR - straddle, NEW_YEAR + 10 * 60_000, mixer, part);
    const late = (readingsFrom: number, receivedAt: number): void => {
      const readings = [0, 1, 2, 3, 4, 5].map((index) => ({ metric: 'temperature', value: 30 + index, ts: readingsFrom + index * 10_000 + 5_000, quality: 'GOOD' }));
      firehoseObject(receivedAt, [telemetryLine('mixer-03', readings, receivedAt, receivedAt)], part);
      part += 1;
    };
    late(DAY_START - 10 * 60_000, DAY_START + 10 * 60_000);
    late(DAY_START + 24 * HOUR - 10 * 60_000, DAY_START + 24 * HOUR + 20 * 60_000);
    late(DAY_START + 12 * HOUR, DAY_START + 48 * HOUR + 30 * 60_000);
    // Two readings of one timestamp: a record that corrects its own reading (the later one is kept), and a resend
    // whose value differs from the first send (the first to arrive is kept), written in the object before the first send's.
    const corrected = DAY_START + HOUR + 3_000;
    const resent = DAY_START + HOUR + 7_000;
    firehoseObject(DAY_START + HOUR + 60_000, [telemetryLine('pump-07', [{ metric: 'temperature', value: 61.5, ts: resent, quality: 'GOOD' }], resent + 60_000, DAY_START + HOUR + 60_000)], part);
    part += 1;
    firehoseObject(DAY_START + HOUR, [
      telemetryLine('pump-07', [{ metric: 'temperature', value: 10, ts: corrected, quality: 'GOOD' }, { metric: 'temperature', value: 61, ts: corrected, quality: 'GOOD' }], corrected + 40, DAY_START + HOUR),
      telemetryLine('pump-07', [{ metric: 'temperature', value: 60.5, ts: resent, quality: 'GOOD' }], resent + 40, DAY_START + HOUR),
    ], part);
    part += 1;
    // Quarantined records, written by the real QuarantineWriter into the same layout (key and body).
    const puts: { Key: string; Body: string }[] = [];
    const s3 = { send: async (command: { input: { Key: string; Body: string } }) => puts.push(command.input) } as unknown as S3Client;
    const reasons = [QUARANTINE_REASONS.invalidJson, QUARANTINE_REASONS.invalidJson, QUARANTINE_REASONS.unknownAsset, QUARANTINE_REASONS.timestampOutOfRange];
    for (const source of ['processor', 'storer'] as const) {
      const writer = new QuarantineWriter({ s3, bucket: names.archiveBucket, functionName: source, breaker: new CircuitBreaker('s3', { openMs: 1000 }) });
      for (const [index, reason] of reasons.entries()) {
        const arrival = DAY_START + (index - 1) * HOUR + 5;
        const origin = kinesisOrigin({ index, sequenceNumber: `4965000000000000000000000000000000000000000000000000000${index}`, arrivedAt: arrival, streamArn: names.streamArn });
        await writer.write({ origin, reason, detail: `detail ${index}`, data: Buffer.from('{not json').toString('base64') }, new Deadline(lambdaContext()));
        quarantined.push({ source, reason, arrival, record: `${origin.shardId}/${origin.sequenceNumber}` });
      }
    }
    // The storer's overflow (functions/storer/BucketWriter.ts): one object per record and full bucket. A record with
    // readings set aside in two full buckets is two objects of one record; the same sequence number on another shard
    // is another record.
    const storer = new QuarantineWriter({ s3, bucket: names.archiveBucket, functionName: 'storer', breaker: new CircuitBreaker('s3', { openMs: 1000 }) });
    const overflowArrival = DAY_START + 2 * HOUR + 5;
    const overflowMinute = DAY_START + 2 * HOUR;
    const overflowSequence = '49650000000000000000000000000000000000000000000000000009';
    for (const [shardId, sensorIds] of [['shardId-000000000000', ['pump-07#temperature', 'pump-07#pressure']], ['shardId-000000000001', ['press-02#temperature']]] as const) {
      const origin = kinesisOrigin({ shardId, sequenceNumber: overflowSequence, arrivedAt: overflowArrival, streamArn: names.streamArn });
      for (const sensorId of sensorIds) {
        const data = Buffer.from(JSON.stringify({ sensorId, minute: overflowMinute, readings: [] })).toString('base64');
        const part = `overflow-${sensorId}-${overflowMinute}`;
        await storer.write({ origin, reason: QUARANTINE_REASONS.bucketFull, detail: `bucket ${sensorId} is full`, data, part }, new Deadline(lambdaContext()));
        quarantined.push({ source: 'storer', reason: QUARANTINE_REASONS.bucketFull, arrival: overflowArrival, record: `${shardId}/${overflowSequence}` });
      }
    }
    for (const put of puts) {
      mkdirSync(dirname(join(root, put.Key)), { recursive: true });
      writeFileSync(join(root, put.Key), put.Body);
    }

    connection = await (await DuckDBInstance.create(':memory:')).connect();
    const keys = (columns: readonly { name: string; jsonKey: string }[]): Record<string, string> => Object.fromEntries(columns.map((column) => [column.name, column.jsonKey]));
    await connection.run(createViewSql(glueSpec('raw_records', tableOf(objects, 'glue-raw-records-dev')), bucketUri, root, keys(RAW_RECORD_COLUMNS), '.gz'));
    await connection.run(createViewSql(glueSpec('quarantine_records', tableOf(objects, 'glue-quarantine-records-dev')), bucketUri, root, keys(QUARANTINE_COLUMNS), '.json'));
  }, 60_000);

  const rows = async (sql: string, parameters: readonly string[]): Promise<Record<string, unknown>[]> =>
    (await connection.runAndReadAll(toDuckDbSql(sql), [...parameters])).getRowObjectsJson() as Record<string, unknown>[];
  const query = (id: string): AnalyticsQuery => {
    const found = ANALYTICS_QUERIES.find((candidate) => candidate.id === id);
    if (found === undefined) throw new Error(`no named query ${id}`);
    return found;
  };
  const named = (id: string): string => query(id).sql;
  /** A query's parameters in order: the day for each of its day parameters, the others by their names. */
  const parametersOf = (id: string, day: string, others: Readonly<Record<string, string>> = {}): string[] =>
    query(id).parameters.map((parameter) => {
      if (parameter === DAY_PARAMETER || parameter === SAME_DAY_PARAMETER) return day;
      const value = others[parameter];
      if (value === undefined) throw new Error(`parametersOf: no value for the parameter "${parameter}" of ${id}`);
      return value;
    });
  const inDayOf = (dayStart: number) => (at: number): boolean => at >= dayStart && at < dayStart + 24 * HOUR;
  const inDay = inDayOf(DAY_START);

  /**
   * The readings of stored records that arrived on DAY_START, one per sensor and timestamp as the storer
   * keeps it (of the records that carry it the first to arrive, within it the last reading): a resend or a
   * second delivery by Firehose is one reading in the hot tier, so it is one reading in the day's counts.
   */
  function dailyReadings(assetId: string): ArchivedReading[] {
    const kept = new Map<string, ArchivedReading>();
    const stored = archived.filter((r) => r.assetId === assetId && r.rejectedFor === undefined && inDay(r.objectAt)).sort((a, b) => a.receivedAt - b.receivedAt);
    for (const record of stored) {
      const ofRecord = new Map(record.readings.map((r) => [`${r.metric}|${r.ts}`, r]));
      for (const [key, reading] of ofRecord) if (!kept.has(key)) kept.set(key, reading);
    }
    return [...kept.values()];
  }

  /**
   * What the hot tier aggregates per hour for one sensor over DAY_START's readings (functions/shared/query):
   * readings of stored records, not BAD, one per timestamp as the storer keeps it (of the records that carry it
   * the first to arrive, within it the last reading); those the archive holds in the partitions the query
   * searches, from DAY_EARLY_ARRIVAL_HOURS before the day to DAY_LATE_ARRIVAL_HOURS after it.
   */
  function hourlyModel(assetId: string, metric: string, dayStart = DAY_START): { hour: number; readings: number; avg: number; min: number; max: number; sum: number; stddev: number }[] {
    const searched = (objectAt: number): boolean => objectAt >= dayStart - DAY_EARLY_ARRIVAL_HOURS * HOUR && objectAt < dayStart + (24 + DAY_LATE_ARRIVAL_HOURS) * HOUR;
    const kept = new Map<number, ArchivedReading>();
    const stored = archived.filter((r) => r.assetId === assetId && r.rejectedFor === undefined && searched(r.objectAt)).sort((a, b) => a.receivedAt - b.receivedAt);
    for (const record of stored) {
      const ofRecord = new Map(record.readings.filter((r) => r.metric === metric && inDayOf(dayStart)(r.ts)).map((r) => [r.ts, r]));
      for (const [ts, reading] of ofRecord) if (!kept.has(ts)) kept.set(ts, reading);
    }
    const values = new Map<number, Map<number, number>>();
    for (const reading of [...kept.values()].filter((r) => r.quality !== 'BAD')) {
      const hour = reading.ts - (reading.ts % HOUR);
      values.set(hour, (values.get(hour) ?? new Map()).set(reading.ts, reading.value));
    }
    return [...values.entries()].sort(([a], [b]) => a - b).map(([hour, byTs]) => {
      const list = [...byTs.values()];
      const sum = list.reduce((a, b) => a + b, 0);
      const mean = sum / list.length;
      return { hour, readings: list.length, avg: mean, min: Math.min(...list), max: Math.max(...list), sum, stddev: Math.sqrt(list.reduce((a, v) => a + (v - mean) ** 2, 0) / list.length) };
    });
  }
  const hourly = async (assetId: string, metric: string, day = '2026-01-02'): Promise<Record<string, unknown>[]> =>
    rows(named('hourly-sensor-aggregates'), parametersOf('hourly-sensor-aggregates', day, { assetId, metric }));
  const exact = (got: readonly Record<string, unknown>[]): unknown[] =>
    got.map((row) => ({ hour: Number(row.hour_start_ms), readings: Number(row.readings), avg: row.avg_value, min: row.min_value, max: row.max_value, sum: row.sum_value }));

  test('every object lies where partition projection looks for it, and every record line is read (malformed lines as NULL rows)', async () => {
    const partitions = await rows('SELECT year, month, day, hour, COUNT(*) AS records FROM raw_records GROUP BY year, month, day, hour ORDER BY year, month, day, hour', []);
    expect(partitions.map((p) => [p.year, p.month, p.day, p.hour])).toEqual([
      ['2025', '12', '31', '23'],
      ['2026', '01', '01', '00'],
      ['2026', '01', '01', '23'],
      ['2026', '01', '02', '00'],
      ['2026', '01', '02', '01'],
      ['2026', '01', '02', '23'],
      ['2026', '01', '03', '00'],
      ['2026', '01', '04', '00'],
    ]);
    // Telemetry records (with resends), one presence event per object, and the two malformed lines of each
    // object as rows of NULLs (the OpenX SerDe with ignore.malformed.json does the same): no query fails on them.
    expect(partitions.reduce((sum, p) => sum + Number(p.records), 0)).toBe(archived.length + 3 + 6);
    expect(await rows('SELECT COUNT(*) AS malformed FROM raw_records WHERE assetid IS NULL AND recordtype IS NULL AND schemaversion IS NULL', [])).toEqual([{ malformed: '6' }]);
    const raw = tableOf(objects, 'glue-raw-records-dev').parameters;
    for (const p of partitions) {
      for (const name of ['year', 'month', 'day', 'hour']) {
        const value = String(p[name]);
        const [low, high] = (raw[`projection.${name}.range`] ?? '').split(',').map(Number);
        expect(Number(value)).toBeGreaterThanOrEqual(low ?? NaN);
        expect(Number(value)).toBeLessThanOrEqual(high ?? NaN);
        expect(value.length).toBeGreaterThanOrEqual(Number(raw[`projection.${name}.digits`] ?? 1));
      }
    }
    expect(await rows("SELECT COUNT(*) AS presence FROM raw_records WHERE recordtype = 'presence'", [])).toEqual([{ presence: '3' }]);
  });

  test('hourly-sensor-aggregates: per hour of reading time, over the readings that are not BAD, one per timestamp as the hot tier keeps it', async () => {
    const got = await hourly('pump-07', 'temperature');
    const want = hourlyModel('pump-07', 'temperature');
    // Hour 01 holds the corrected reading (61, not 10) and the first send of the resent one (60.5, not 61.5).
    const atTs = async (ts: number): Promise<Record<string, unknown>[]> =>
      rows(named('hourly-sensor-aggregates').replace(`GROUP BY ts - (ts % ${HOUR})`, `AND ts = ${ts} GROUP BY ts - (ts % ${HOUR})`), parametersOf('hourly-sensor-aggregates', '2026-01-02', { assetId: 'pump-07', metric: 'temperature' }));
    expect((await atTs(DAY_START + HOUR + 3_000)).map((row) => [row.readings, row.sum_value])).toEqual([['1', 61]]);
    expect((await atTs(DAY_START + HOUR + 7_000)).map((row) => [row.readings, row.sum_value])).toEqual([['1', 60.5]]);
    expect(want.map((row) => row.hour)).toEqual([DAY_START, DAY_START + HOUR]);
    expect(exact(got)).toEqual(want.map(({ stddev: _s, ...exactPart }) => exactPart));
    got.forEach((row, index) => expect(row.stddev_value).toBeCloseTo(want[index]?.stddev ?? NaN, 9));
  });

  test('hourly-sensor-aggregates: the readings of the UTC day, wherever Firehose put them: from the previous day\'s last hour to the end of the next day', async () => {
    // The objects as Firehose names them: the one begun at 23:57:30 holds the readings up to 00:02:20, in hour 23.
    const firstMinutes = async (midnight: number): Promise<Record<string, unknown>[]> =>
      rows(`SELECT year, month, day, hour, MIN(r.ts) AS first_ts, MAX(r.ts) AS last_ts FROM raw_records CROSS JOIN UNNEST(readings) AS r (metric, value, unit, ts, quality) WHERE assetid = 'mixer-03' AND r.ts >= ${midnight} AND r.ts < ${midnight + 150_000} GROUP BY year, month, day, hour`, []);
    expect(await firstMinutes(DAY_START)).toEqual([{ year: '2026', month: '01', day: '01', hour: '23', first_ts: String(DAY_START), last_ts: String(DAY_START + 140_000) }]);
    expect(await firstMinutes(DAY_START + 24 * HOUR)).toEqual([{ year: '2026', month: '01', day: '02', hour: '23', first_ts: String(DAY_START + 24 * HOUR), last_ts: String(DAY_START + 24 * HOUR + 140_000) }]);
    const got = await hourly('mixer-03', 'temperature');
    // Hour 00: every reading of 00:00-00:10, 15 of them from the previous day's partition. Hour 23: the 15 of 23:57:30-23:59:50
    // and the 6 a gateway sent 30 minutes late. Nothing of the days before and after, nor the readings sent two days late.
    expect(got.map((row) => [Number(row.hour_start_ms), Number(row.readings)])).toEqual([
      [DAY_START, 60],
      [DAY_START + 23 * HOUR, 21],
    ]);
    expect(exact(got)).toEqual(hourlyModel('mixer-03', 'temperature').map(({ stddev: _s, ...exactPart }) => exactPart));
    // The one reading window the query leaves to the hot tier: a day's readings that reach the stream after the next day.
    expect(archived.filter((r) => r.assetId === 'mixer-03' && r.objectAt >= DAY_START + (24 + DAY_LATE_ARRIVAL_HOURS) * HOUR).flatMap((r) => r.readings.map((reading) => inDay(reading.ts)))).toEqual([true, true, true, true, true, true]);
    expect([DAY_EARLY_ARRIVAL_HOURS, DAY_LATE_ARRIVAL_HOURS]).toEqual([1, 24]);
  });

  test('hourly-sensor-aggregates across a month and a year end: 2026-01-01 finds its readings that arrived on 2025-12-31 (hour 23) and on 2026-01-02', async () => {
    // Where the archive holds the mixer's readings of 2026-01-01: 15 of its first minutes in the previous year's last hour,
    // 6 sent late in the next day's first hour.
    const arrivals = await rows(
      `SELECT year, month, day, hour, COUNT(*) AS readings FROM raw_records CROSS JOIN UNNEST(readings) AS r (metric, value, unit, ts, quality) WHERE assetid = 'mixer-03' AND r.ts >= ${NEW_YEAR} AND r.ts < ${NEW_YEAR + 24 * HOUR} GROUP BY year, month, day, hour ORDER BY year, month, day, hour`,
      [],
    );
    expect(arrivals.map((p) => [p.year, p.month, p.day, p.hour, Number(p.readings)])).toEqual([
      ['2025', '12', '31', '23', 15],
      ['2026', '01', '01', '00', 45],
      ['2026', '01', '01', '23', 15],
      ['2026', '01', '02', '00', 6],
    ]);
    const got = await hourly('mixer-03', 'temperature', '2026-01-01');
    expect(got.map((row) => [Number(row.hour_start_ms), Number(row.readings)])).toEqual([
      [NEW_YEAR, 60],
      [NEW_YEAR + 23 * HOUR, 21],
    ]);
    expect(exact(got)).toEqual(hourlyModel('mixer-03', 'temperature', NEW_YEAR).map(({ stddev: _s, ...exactPart }) => exactPart));
    // The arrival days whose years the query names, besides its exact date_diff filter: the day before and the next day.
    expect(ARRIVAL_DAYS).toEqual({ first: -1, last: 1 });
  });

  test('the named queries keep the records the hot tier stores: one reading out of the contract leaves out its whole record', async () => {
    expect(archived.filter((r) => r.rejectedFor !== undefined).map((r) => r.rejectedFor)).toEqual([
      QUARANTINE_REASONS.invalidQuality,
      QUARANTINE_REASONS.invalidQuality,
      QUARANTINE_REASONS.valueOutOfRange,
      QUARANTINE_REASONS.valueOutOfRange,
      QUARANTINE_REASONS.valueOutOfRange,
      QUARANTINE_REASONS.timestampOutOfRange,
      QUARANTINE_REASONS.timestampOutOfRange,
      QUARANTINE_REASONS.unknownAsset,
    ]);
    // Their valid temperature readings (95, GOOD, in hour 00) would count if the record did.
    const hour00 = (await hourly('pump-07', 'temperature')).find((row) => Number(row.hour_start_ms) === DAY_START);
    expect(hour00?.max_value).toBeLessThan(95);
    const quality = await rows(named('daily-data-quality'), parametersOf('daily-data-quality', '2026-01-02'));
    expect(quality.find((row) => row.asset_id === 'pump-07')?.readings).toBe(String(dailyReadings('pump-07').length));
    // A record without assetId is quarantined by the hot tier (unknownAsset): no row of a NULL asset.
    expect(archived.filter((r) => r.assetId === '' && inDay(r.objectAt)).map((r) => r.rejectedFor)).toEqual([QUARANTINE_REASONS.unknownAsset]);
    expect(quality.map((row) => row.asset_id)).toEqual(['mixer-03', 'press-02', 'pump-07']);
  });

  test('daily-data-quality: per asset, the day\'s readings (one per sensor and timestamp, as the hot tier keeps them) and the BAD and UNCERTAIN shares', async () => {
    const got = await rows(named('daily-data-quality'), parametersOf('daily-data-quality', '2026-01-02'));
    // The sample holds resends of pump-07 and press-02 and a record that corrects its own reading: more readings archived than kept.
    for (const assetId of ['press-02', 'pump-07']) {
      const archivedReadings = archived.filter((r) => r.assetId === assetId && r.rejectedFor === undefined && inDay(r.objectAt)).flatMap((r) => r.readings).length;
      expect([assetId, archivedReadings > dailyReadings(assetId).length]).toEqual([assetId, true]);
    }
    const want = ['mixer-03', 'press-02', 'pump-07'].map((assetId) => {
      const readings = dailyReadings(assetId);
      return {
        asset_id: assetId,
        readings: String(readings.length),
        bad_share: readings.filter((r) => r.quality === 'BAD').length / readings.length,
        uncertain_share: readings.filter((r) => r.quality === 'UNCERTAIN').length / readings.length,
      };
    });
    expect(got).toEqual(want);
  });

  test('quarantine-counts: records, not objects, per function and reason, for the day of arrival', async () => {
    const got = await rows(named('quarantine-counts'), parametersOf('quarantine-counts', '2026-01-02'));
    const records = new Map<string, Set<string>>();
    for (const entry of quarantined.filter((q) => inDay(q.arrival))) {
      const key = `${entry.source}|${entry.reason}`;
      records.set(key, (records.get(key) ?? new Set<string>()).add(entry.record));
    }
    expect(got).toEqual([...records.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, of]) => ({ source: key.split('|')[0], reason: key.split('|')[1], records: String(of.size) })));
    expect(got.length).toBeGreaterThan(2);
    // Three BUCKET_FULL objects, of two records.
    expect(got.find((row) => row.reason === QUARANTINE_REASONS.bucketFull)).toEqual({ source: 'storer', reason: QUARANTINE_REASONS.bucketFull, records: '2' });
  });

  test('every execution parameter gets its type from the SQL: a day is CAST(? AS DATE), never a number or text meeting a partition column', () => {
    // Athena pastes parameters into the SQL as text, and Trino compares a string partition column ('01') with
    // neither an integer (a type error) nor an unpadded string ('1': no rows). DuckDB coerces, so only the SQL can show it.
    const stringColumns: Record<string, string> = { assetid: 'assetId', 'r.metric': 'metric' };
    for (const { id, sql, parameters } of ANALYTICS_QUERIES) {
      const pieces = sql.split('?');
      const uses = pieces.slice(1).map((after, index) => {
        const before = pieces[index] ?? '';
        if (before.endsWith('CAST(') && after.startsWith(' AS DATE)')) return 'day';
        const column = /(\S+) = $/.exec(before)?.[1] ?? '';
        return stringColumns[column] ?? `? after "${before.slice(-30)}"`;
      });
      const isDay = (parameter: string): boolean => parameter === DAY_PARAMETER || parameter === SAME_DAY_PARAMETER;
      // Each parameter's description says what its `?` takes; the day is named once, then repeated.
      expect([id, uses]).toEqual([id, parameters.map((parameter) => (isDay(parameter) ? 'day' : parameter))]);
      const days = parameters.filter(isDay);
      expect([id, days]).toEqual([id, [DAY_PARAMETER, ...Array<string>(Math.max(days.length - 1, 0)).fill(SAME_DAY_PARAMETER)]]);
      expect(sql).not.toMatch(/\b(year|month|day|hour) (=|IN|<|>|<=|>=|BETWEEN) \(?\?/);
    }
  });

  test('as Athena runs them, each parameter pasted into the SQL as text: the quoted day reads it, an unquoted one is refused, not read as another', async () => {
    const others = { assetId: 'pump-07', metric: 'temperature' };
    const quoted = { assetId: "'pump-07'", metric: "'temperature'" };
    for (const { id, sql } of ANALYTICS_QUERIES) {
      // The stddev's last digits depend on the order DuckDB's threads add up in: compared to 12 digits.
      const rounded = (got: readonly Record<string, unknown>[]): unknown[] =>
        got.map((row) => (typeof row.stddev_value === 'number' ? { ...row, stddev_value: row.stddev_value.toPrecision(12) } : row));
      const bound = await rows(sql, parametersOf(id, '2026-01-02', others));
      expect([id, bound.length > 0]).toEqual([id, true]);
      expect([id, rounded(await rows(athenaExecutionSql(sql, parametersOf(id, "'2026-01-02'", quoted)), []))]).toEqual([id, rounded(bound)]);
      // 2026-01-02 without quotes is the integer 2023; Trino refuses to cast it to a date as DuckDB does.
      await expect(rows(athenaExecutionSql(sql, parametersOf(id, '2026-01-02', quoted)), [])).rejects.toThrow('Unimplemented type for cast (INTEGER -> DATE)');
    }
  });

  test('the translation changes nothing but the UNNEST', () => {
    for (const query of ANALYTICS_QUERIES) {
      const translated = toDuckDbSql(query.sql);
      expect(
        translated
          .replace('CROSS JOIN LATERAL (SELECT UNNEST(readings, recursive := true), generate_subscripts(readings, 1)) AS r (', 'CROSS JOIN UNNEST(readings) WITH ORDINALITY AS r (')
          .replace('CROSS JOIN LATERAL (SELECT UNNEST(readings, recursive := true)) AS r (', 'CROSS JOIN UNNEST(readings) AS r ('),
      ).toBe(query.sql);
      expect((query.sql.match(/\?/g) ?? []).length).toBe(query.parameters.length);
    }
  });
});
