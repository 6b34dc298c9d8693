import { Construct } from 'constructs';
import { TABLE_KEYS } from '../../functions/shared/constants';
import { Table } from '../../imports/dynamodb.services.k8s.aws';
import { ackMetadata } from '../lib/ackMetadata';
import { EnvironmentConfig } from '../lib/config';
import { SyncWave } from '../lib/conventions';
import { PlatformNames } from '../lib/names';
import { tagList } from '../lib/tagList';
import { denyInsecureTransport } from './denyInsecureTransport';
import { policyDocument } from './policyDocument';

/** A key attribute: DynamoDB keys are strings, numbers or binary. */
export interface TableKeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/** A global secondary index; it always projects ALL attributes (the hot-tier items are small). */
export interface EncryptedTableIndex {
  readonly indexName: string;
  readonly partitionKey: TableKeyAttribute;
  /** @default - no sort key */
  readonly sortKey?: TableKeyAttribute;
}

export interface EncryptedTableProps {
  readonly config: EnvironmentConfig;
  readonly names: PlatformNames;
  /** Physical table name; also the Kubernetes object name. */
  readonly tableName: string;
  readonly partitionKey: TableKeyAttribute;
  /** @default - no sort key */
  readonly sortKey?: TableKeyAttribute;
  /** @default - no global secondary index */
  readonly globalSecondaryIndexes?: readonly EncryptedTableIndex[];
  /** Number attribute (epoch seconds) after which DynamoDB TTL deletes an item. @default TABLE_KEYS.ttlAttribute ("expiresAt") */
  readonly ttlAttribute?: string;
  /** Kubernetes object name of the ACK KMS Key that encrypts the table. @default names.kmsKeyObject */
  readonly kmsKeyObject?: string;
  /** @default "dataStores" */
  readonly wave?: SyncWave;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,255}$/;
/** A name pattern as the messages quote it, without its anchors. */
const quoted = (pattern: RegExp): string => pattern.source.slice(1, -1);

/**
 * A hot-tier DynamoDB table with the platform's rules built in: on-demand billing, encryption with
 * the environment's customer-managed KMS key, a resource policy that refuses plain HTTP on the table
 * and its indexes, point-in-time recovery, TTL, table class STANDARD and no deletion protection
 * (environments must be destroyable). Attribute definitions are derived from the keys, so a key
 * cannot be declared without its type or with two different types.
 */
export class EncryptedTable extends Construct {
  readonly table: Table;
  readonly tableName: string;
  readonly ttlAttribute: string;

  constructor(scope: Construct, id: string, props: EncryptedTableProps) {
    super(scope, id);
    const ttlAttribute = props.ttlAttribute ?? TABLE_KEYS.ttlAttribute;
    const kmsKeyObject = props.kmsKeyObject ?? props.names.kmsKeyObject;
    const wave = props.wave ?? 'dataStores';
    const indexes = props.globalSecondaryIndexes ?? [];

    if (!TABLE_NAME.test(props.tableName)) {
      throw new Error(`EncryptedTable: props.tableName must match ${quoted(TABLE_NAME)}, got "${props.tableName}"`);
    }
    if (!ATTRIBUTE_NAME.test(ttlAttribute)) {
      throw new Error(`EncryptedTable: props.ttlAttribute must match ${quoted(ATTRIBUTE_NAME)}, got "${ttlAttribute}"`);
    }
    const keyAttributes: [string, TableKeyAttribute | undefined][] = [
      ['props.partitionKey', props.partitionKey],
      ['props.sortKey', props.sortKey],
      ...indexes.flatMap((index, i): [string, TableKeyAttribute | undefined][] => [
        [`props.globalSecondaryIndexes[${i}].partitionKey`, index.partitionKey],
        [`props.globalSecondaryIndexes[${i}].sortKey`, index.sortKey],
      ]),
    ];
    const types = new Map<string, TableKeyAttribute['type']>();
    for (const [field, attribute] of keyAttributes) {
      if (attribute === undefined) continue;
      if (!ATTRIBUTE_NAME.test(attribute.name)) {
        throw new Error(`EncryptedTable: ${field}.name must match ${quoted(ATTRIBUTE_NAME)}, got "${attribute.name}"`);
      }
      const known = types.get(attribute.name);
      if (known !== undefined && known !== attribute.type) {
        throw new Error(`EncryptedTable: ${field} declares "${attribute.name}" as ${attribute.type}, but it is already a key of type ${known}`);
      }
      types.set(attribute.name, attribute.type);
    }
    if (props.sortKey !== undefined && props.sortKey.name === props.partitionKey.name) {
      throw new Error(`EncryptedTable: props.sortKey must differ from props.partitionKey, got "${props.sortKey.name}" for both`);
    }
    if (types.has(ttlAttribute)) {
      throw new Error(`EncryptedTable: props.ttlAttribute must not be a key attribute, got "${ttlAttribute}"`);
    }
    indexes.forEach((index, i) => {
      if (!TABLE_NAME.test(index.indexName)) {
        throw new Error(`EncryptedTable: props.globalSecondaryIndexes[${i}].indexName must match ${quoted(TABLE_NAME)}, got "${index.indexName}"`);
      }
      if (indexes.findIndex((other) => other.indexName === index.indexName) !== i) {
        throw new Error(`EncryptedTable: props.globalSecondaryIndexes[${i}].indexName must be unique, got "${index.indexName}" twice`);
      }
    });

    this.tableName = props.tableName;
    this.ttlAttribute = ttlAttribute;
    this.table = new Table(this, 'Resource', {
      metadata: ackMetadata(props.config, props.names, props.tableName, wave),
      spec: {
        tableName: props.tableName,
        // Sorted: the order carries no meaning and a stable one keeps the manifest diff-free.
        attributeDefinitions: [...types.entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([attributeName, attributeType]) => ({ attributeName, attributeType })),
        keySchema: keySchema(props.partitionKey, props.sortKey),
        ...(indexes.length === 0
          ? {}
          : {
              globalSecondaryIndexes: indexes.map((index) => ({
                indexName: index.indexName,
                keySchema: keySchema(index.partitionKey, index.sortKey),
                projection: { projectionType: 'ALL' },
              })),
            }),
        billingMode: 'PAY_PER_REQUEST',
        tableClass: 'STANDARD',
        sseSpecification: { enabled: true, sseType: 'KMS', kmsMasterKeyRef: { from: { name: kmsKeyObject } } },
        continuousBackups: { pointInTimeRecoveryEnabled: true },
        timeToLive: { attributeName: ttlAttribute, enabled: true },
        deletionProtectionEnabled: false,
        resourcePolicy: tablePolicy(props.names.tableArn(props.tableName), indexes),
        tags: tagList(props.config),
      },
    });
  }
}

function keySchema(partitionKey: TableKeyAttribute, sortKey: TableKeyAttribute | undefined): { attributeName: string; keyType: string }[] {
  return [
    { attributeName: partitionKey.name, keyType: 'HASH' },
    ...(sortKey === undefined ? [] : [{ attributeName: sortKey.name, keyType: 'RANGE' }]),
  ];
}

/**
 * DynamoDB's regional endpoints also answer plain HTTP, which IAM alone does not refuse. A table's policy
 * covers its indexes only where it names them (DynamoDB authorizes an index request on the index's ARN), so
 * each index is listed; the table has no stream, whose policy would be its own. Every caller of the platform
 * (the functions, the controller, the tools) uses HTTPS, which the statement leaves alone.
 */
function tablePolicy(tableArn: string, indexes: readonly EncryptedTableIndex[]): string {
  const indexArns = indexes.map((index) => `${tableArn}/index/${index.indexName}`);
  return policyDocument([denyInsecureTransport('DenyInsecureTransport', 'dynamodb:*', [tableArn, ...indexArns])]);
}
