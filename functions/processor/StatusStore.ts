import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CircuitBreaker } from '../shared/CircuitBreaker';
import { ASSET_STATUS, LIMITS, TABLE_KEYS, THING_STATUS_KEY_PREFIX } from '../shared/constants';
import type { Deadline } from '../shared/Deadline';
import { ASSET_METRICS_ATTRIBUTE, ASSET_METRICS_INCOMPLETE_ATTRIBUTE } from '../shared/query/constants';
import type { PresenceEvent } from '../shared/types';
import { mapWithConcurrency } from '../shared/mapWithConcurrency';
import { withRetry, type RetryPolicy } from '../shared/withRetry';
import type { AssetStatusUpdate, StatusPort } from './types';

export interface StatusStoreOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly breaker: CircuitBreaker;
  readonly policy?: RetryPolicy;
  readonly now?: () => number;
}

/** Outcome of a conditional status write. */
export type StatusWriteOutcome = 'written' | 'superseded';

export interface PresenceOutcome {
  readonly applied: boolean;
  /** Assets marked OFFLINE by a disconnect. */
  readonly offline: readonly string[];
}

const PK = TABLE_KEYS.assetStatus.partitionKey;
/** OFFLINE writes of one disconnect's assets in flight at once (a gateway may serve dozens). */
const ASSET_WRITE_CONCURRENCY = 8;

/** Key of the item that tracks a thing's connection and the assets it reported for. */
export function thingStatusKey(thingName: string): string {
  return `${THING_STATUS_KEY_PREFIX}${thingName}`;
}

/**
 * SET/REMOVE expression with every attribute name aliased (`#name`, value `:name`), so no
 * DynamoDB reserved word (status, count, ...) can break it. `conditionNames` adds aliases for
 * names only a condition uses.
 */
export function updateExpression(
  set: Record<string, unknown>,
  remove: readonly string[],
  extraValues: Record<string, unknown> = {},
  conditionNames: readonly string[] = [],
): Required<Pick<UpdateCommandInput, 'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ...extraValues };
  for (const name of [...Object.keys(set), ...remove, ...conditionNames]) names[`#${name}`] = name;
  for (const [name, value] of Object.entries(set)) values[`:${name}`] = value;
  const clauses = [`SET ${Object.keys(set).map((name) => `#${name} = :${name}`).join(', ')}`];
  if (remove.length > 0) clauses.push(`REMOVE ${remove.map((name) => `#${name}`).join(', ')}`);
  return { UpdateExpression: clauses.join(' '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: unknown }).name === 'ConditionalCheckFailedException';
}

/**
 * The assetStatus table. Asset items (`assetId`, indexed per line by `byLine`) carry OK or
 * ANOMALY from the detector and OFFLINE from presence; thing items (`thing#<thingName>`, no
 * lineKey, so not in the line index) carry the connection state and the set of assets the thing
 * reported for, which is how a disconnect finds the assets to mark OFFLINE.
 *
 * Presence events and readings reach the processor on different shards, so writes are ordered by
 * the IoT Core clock: a disconnect marks an asset OFFLINE only if nothing newer arrived from it,
 * and a reading clears OFFLINE only if it arrived after the disconnect.
 */
export class StatusStore implements StatusPort {
  readonly #options: StatusStoreOptions;

  constructor(options: StatusStoreOptions) {
    this.#options = options;
  }

  async writeAssetStatus(update: AssetStatusUpdate, deadline: Deadline): Promise<StatusWriteOutcome> {
    const set: Record<string, unknown> = {
      status: update.status,
      [TABLE_KEYS.assetStatus.linePartitionKey]: `${update.plantId}#${update.lineId}`,
      plantId: update.plantId,
      lineId: update.lineId,
      thingName: update.thingName,
      lastSeen: update.lastSeen,
      lastReadingTs: update.lastReadingTs,
      updatedAt: update.updatedAt,
      // Set, never removed: the item's list of metrics only grows.
      ...(update.metricsIncomplete ? { [ASSET_METRICS_INCOMPLETE_ATTRIBUTE]: true } : {}),
    };
    const remove = ['offlineAt'];
    const optional: Array<[string, unknown]> = [
      ['score', update.score],
      ['threshold', update.threshold],
      ['episodeId', update.episodeId],
      ['episodeStartedAt', update.episodeStartedAt],
      ['contributors', update.contributors],
    ];
    for (const [name, value] of optional) {
      if (value === undefined) remove.push(name);
      else set[name] = value;
    }
    const expression = updateExpression(set, remove);
    // ADD to a string set: the asset's metrics accumulate across containers, and a repeat is a no-op.
    const metrics =
      update.metrics === undefined || update.metrics.length === 0
        ? expression
        : {
            UpdateExpression: `${expression.UpdateExpression} ADD #metrics :metrics`,
            ExpressionAttributeNames: { ...expression.ExpressionAttributeNames, '#metrics': ASSET_METRICS_ATTRIBUTE },
            ExpressionAttributeValues: { ...expression.ExpressionAttributeValues, ':metrics': new Set(update.metrics) },
          };
    return this.#update(
      {
        Key: { [PK]: update.assetId },
        ...metrics,
        ConditionExpression: '(attribute_not_exists(#offlineAt) OR #offlineAt < :lastSeen) AND (attribute_not_exists(#lastSeen) OR #lastSeen <= :lastSeen)',
      },
      deadline,
    );
  }

  /**
   * Adds an asset to the thing's set, once per container per pair (the set makes repeats harmless),
   * unless the set already lists LIMITS.maxListedAssetsPerThing others ('full': the item would grow
   * past DynamoDB's item size, and every write of it would fail).
   */
  async registerThingAsset(update: Pick<AssetStatusUpdate, 'assetId' | 'plantId' | 'lineId' | 'thingName'>, deadline: Deadline): Promise<'written' | 'full'> {
    const expression = updateExpression({ thingName: update.thingName, plantId: update.plantId, lineId: update.lineId, kind: 'thing' }, [], {
      ':asset': new Set([update.assetId]),
      ':assetId': update.assetId,
      ':maxAssets': LIMITS.maxListedAssetsPerThing,
    });
    const outcome = await this.#update(
      {
        Key: { [PK]: thingStatusKey(update.thingName) },
        ...expression,
        UpdateExpression: `${expression.UpdateExpression} ADD #assets :asset`,
        ExpressionAttributeNames: { ...expression.ExpressionAttributeNames, '#assets': 'assets' },
        ConditionExpression: 'attribute_not_exists(#assets) OR size(#assets) < :maxAssets OR contains(#assets, :assetId)',
      },
      deadline,
    );
    return outcome === 'written' ? 'written' : 'full';
  }

  /**
   * Applies a connect or disconnect to the thing item (older events than the last one applied are
   * ignored), and on a disconnect marks the thing's assets OFFLINE.
   */
  async applyPresence(event: PresenceEvent, deadline: Deadline): Promise<PresenceOutcome> {
    const now = this.#options.now ?? Date.now;
    const status = event.eventType === 'connected' ? ASSET_STATUS.ok : ASSET_STATUS.offline;
    let assets: readonly string[] = [];
    try {
      const output = await withRetry(
        (abortSignal) =>
          this.#options.doc.send(
            new UpdateCommand({
              TableName: this.#options.tableName,
              Key: { [PK]: thingStatusKey(event.thingName) },
              ...updateExpression(
                {
                  status,
                  thingName: event.thingName,
                  kind: 'thing',
                  lastPresenceAt: event.timestamp,
                  lastEventType: event.eventType,
                  disconnectReason: event.disconnectReason ?? null,
                  sessionIdentifier: event.sessionIdentifier ?? null,
                  updatedAt: now(),
                },
                [],
              ),
              ConditionExpression: 'attribute_not_exists(#lastPresenceAt) OR #lastPresenceAt <= :lastPresenceAt',
              ReturnValues: 'ALL_NEW',
            }),
            { abortSignal },
          ),
        this.#retryOptions(deadline),
      );
      const set = output.Attributes?.assets;
      if (set instanceof Set) assets = [...set].filter((entry): entry is string => typeof entry === 'string');
    } catch (error) {
      if (isConditionFailure(error)) return { applied: false, offline: [] };
      throw error;
    }
    if (event.eventType === 'connected') return { applied: true, offline: [] };
    // The assets are distinct items: written side by side. offlineAt only moves forward, so two things'
    // disconnects that list one asset leave the same item in whatever order they land.
    const results = await mapWithConcurrency(assets, ASSET_WRITE_CONCURRENCY, (assetId) =>
      this.#update(
        {
          Key: { [PK]: assetId },
          ...updateExpression({ status: ASSET_STATUS.offline, offlineAt: event.timestamp, updatedAt: now() }, [], {}, ['lastSeen', PK]),
          ConditionExpression:
            'attribute_exists(#assetId) AND (attribute_not_exists(#lastSeen) OR #lastSeen <= :offlineAt) AND (attribute_not_exists(#offlineAt) OR #offlineAt <= :offlineAt)',
        },
        deadline,
      ),
    );
    const offline: string[] = [];
    for (const [i, result] of results.entries()) {
      if (result.status === 'rejected') throw result.reason;
      if (result.value === 'written') offline.push(assets[i] as string);
    }
    return { applied: true, offline };
  }

  async #update(input: Omit<UpdateCommandInput, 'TableName'>, deadline: Deadline): Promise<StatusWriteOutcome> {
    try {
      await withRetry(
        (abortSignal) => this.#options.doc.send(new UpdateCommand({ TableName: this.#options.tableName, ...input }), { abortSignal }),
        this.#retryOptions(deadline),
      );
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) return 'superseded';
      throw error;
    }
  }

  #retryOptions(deadline: Deadline): { breaker: CircuitBreaker; deadline: Deadline; policy?: RetryPolicy } {
    return { breaker: this.#options.breaker, deadline, ...(this.#options.policy ? { policy: this.#options.policy } : {}) };
  }
}
