import { Construct } from 'constructs';
import { CatalogTable, CatalogTableSpecManagementPolicies } from '../../imports/glue.aws.m.upbound.io';
import { EnvironmentConfig } from '../lib/config';
import { crossplaneMetadata } from '../lib/crossplaneMetadata';
import { crossplaneSpec } from '../lib/crossplaneSpec';
import { PlatformNames } from '../lib/names';

/** One column: Glue keeps names in lower case (a mixed-case name would drift forever), Hive types. */
export interface TableColumn {
  readonly name: string;
  /** Hive type: `string`, `int`, `bigint`, `double`, `array<struct<...>>`. */
  readonly type: string;
  readonly comment: string;
}

/** How Athena computes a partition's values instead of reading them from the catalog. */
export type PartitionProjection =
  | {
      readonly type: 'integer';
      readonly range: readonly [number, number];
      /**
       * Digits the value is zero-padded to in the S3 path (`projection.<name>.digits`), as in `month=01`.
       * @default - no fixed length (Athena's default): the plain decimal value, no leading zeros
       */
      readonly digits?: number;
    }
  | { readonly type: 'enum'; readonly values: readonly string[] };

export interface ProjectedPartition {
  readonly name: string;
  readonly comment: string;
  readonly projection: PartitionProjection;
}

export interface ProjectedJsonTableProps {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  /** Kubernetes object name (table names have underscores, object names cannot). */
  readonly objectName: string;
  /** The table's name in Glue (the object's external name). */
  readonly tableName: string;
  readonly databaseName: string;
  readonly description: string;
  /** `s3://<bucket>/<prefix>/`: the table's root. */
  readonly location: string;
  readonly columns: readonly TableColumn[];
  readonly partitions: readonly ProjectedPartition[];
  /** Where a partition's objects are, with `${<partition>}` for each partition, under `location`. */
  readonly locationTemplate: string;
  /** GZIP objects (Firehose) or plain JSON; Athena reads either by the object's extension, this is for readers of the catalog. */
  readonly compression: 'gzip' | 'none';
  /**
   * Skip lines that are not JSON instead of failing the query (a quarantined record is archived as it came).
   * @default true
   */
  readonly ignoreMalformedJson?: boolean;
  /**
   * Read objects in S3 Glacier Flexible Retrieval or Deep Archive that have been restored. Athena skips
   * objects of those classes, restored or not, unless the table says so; unrestored ones stay skipped.
   */
  readonly readRestoredGlacierObjects: boolean;
}

const GLUE_NAME = /^[a-z_][a-z0-9_]{0,254}$/;
const EXTERNAL_NAME_ANNOTATION = 'crossplane.io/external-name';
/** The table parameter that lets Athena (engine v3) read restored Glacier Flexible Retrieval and Deep Archive objects. */
export const READ_RESTORED_GLACIER_OBJECTS = 'read_restored_glacier_objects';

/** Table parameters of Athena partition projection for the given partitions and template. */
export function projectionParameters(partitions: readonly ProjectedPartition[], locationTemplate: string): Record<string, string> {
  const parameters: Record<string, string> = { 'projection.enabled': 'true', 'storage.location.template': locationTemplate };
  for (const { name, projection } of partitions) {
    parameters[`projection.${name}.type`] = projection.type;
    if (projection.type === 'enum') parameters[`projection.${name}.values`] = projection.values.join(',');
    else {
      parameters[`projection.${name}.range`] = projection.range.join(',');
      if (projection.digits !== undefined) parameters[`projection.${name}.digits`] = String(projection.digits);
    }
  }
  return parameters;
}

/**
 * A Glue table (Crossplane) over JSON-lines objects in S3 with Athena partition projection: partitions
 * are computed from the template, so there is no crawler and no partition to add as data arrives.
 * Read with the OpenX JSON SerDe, which matches JSON keys to the lower-case column names.
 */
export class ProjectedJsonTable extends Construct {
  readonly tableName: string;

  constructor(scope: Construct, id: string, props: ProjectedJsonTableProps) {
    super(scope, id);
    const { config, names } = props;
    const fail = (field: string, rule: string, value: unknown): never => {
      throw new Error(`ProjectedJsonTable: props.${field} ${rule}, got ${JSON.stringify(value)}`);
    };
    if (!GLUE_NAME.test(props.tableName)) fail('tableName', 'must match [a-z_][a-z0-9_]{0,254} (Glue lower-cases names)', props.tableName);
    if (!GLUE_NAME.test(props.databaseName)) fail('databaseName', 'must match [a-z_][a-z0-9_]{0,254}', props.databaseName);
    if (!/^s3:\/\/[a-z0-9.-]+\/(.+\/)?$/.test(props.location)) fail('location', 'must be s3://<bucket>/<prefix>/ with a trailing slash', props.location);
    if (!props.locationTemplate.startsWith(props.location)) fail('locationTemplate', `must lie under location ${props.location}`, props.locationTemplate);
    if (props.columns.length === 0) fail('columns', 'must hold at least one column', props.columns);
    const seen = new Set<string>();
    for (const { name } of [...props.columns, ...props.partitions]) {
      if (!GLUE_NAME.test(name)) fail('columns', 'names must match [a-z_][a-z0-9_]{0,254} (Glue lower-cases names)', name);
      if (seen.has(name)) fail('columns', 'names must be unique across columns and partitions', name);
      seen.add(name);
    }
    for (const { name, projection } of props.partitions) {
      if (!props.locationTemplate.includes(`\${${name}}`)) fail('locationTemplate', `must use every partition, \${${name}} is missing`, props.locationTemplate);
      if (projection.type === 'integer' && !(projection.range[0] <= projection.range[1])) fail(`partitions.${name}.projection.range`, 'must be [low, high] with low <= high', projection.range);
      if (projection.type === 'enum' && projection.values.length === 0) fail(`partitions.${name}.projection.values`, 'must hold at least one value', projection.values);
    }
    this.tableName = props.tableName;
    const { providerConfigRef, managementPolicies } = crossplaneSpec(names);
    const metadata = crossplaneMetadata(config, names, props.objectName, 'analyticsContents');
    new CatalogTable(this, 'Resource', {
      metadata: { ...metadata, annotations: { ...metadata.annotations, [EXTERNAL_NAME_ANNOTATION]: props.tableName } },
      spec: {
        providerConfigRef,
        managementPolicies: managementPolicies as CatalogTableSpecManagementPolicies[],
        forProvider: {
          region: config.region,
          catalogId: config.accountId,
          databaseName: props.databaseName,
          description: props.description,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            EXTERNAL: 'TRUE',
            classification: 'json',
            compressionType: props.compression,
            ...(props.readRestoredGlacierObjects ? { [READ_RESTORED_GLACIER_OBJECTS]: 'true' } : {}),
            ...projectionParameters(props.partitions, props.locationTemplate),
          },
          partitionKeys: props.partitions.map(({ name, comment }) => ({ name, type: 'string', comment })),
          storageDescriptor: {
            location: props.location,
            inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
            compressed: props.compression === 'gzip',
            columns: props.columns.map(({ name, type, comment }) => ({ name, type, comment })),
            serDeInfo: {
              name: 'openx-json',
              serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
              parameters: { 'ignore.malformed.json': String(props.ignoreMalformedJson ?? true), 'case.insensitive': 'true' },
            },
          },
        },
      },
    });
  }
}
