import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CircuitBreaker } from '../shared/CircuitBreaker';
import { ASSET_STATUS, LIMITS, TABLE_KEYS } from '../shared/constants';
import type { Deadline } from '../shared/Deadline';
import { ASSET_METRICS_ATTRIBUTE, ASSET_METRICS_INCOMPLETE_ATTRIBUTE } from '../shared/query/constants';
import type { PresenceEvent } from '../shared/types';
import { mapWithConcurrency } from '../shared/mapWithConcurrency';
import { withRetry, type RetryPolicy } from '../shared/withRetry';
import { ASSET_WRITE_CONCURRENCY } from './constants';
import { thingStatusKey } from './thingStatusKey';
import type { AssetStatusUpdate, StatusPort } from './types';
import { updateExpression } from './updateExpression';

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
  /** Assets a connect took the OFFLINE mark of its thing's disconnect off (back to the status the mark replaced). */
  readonly restored: readonly string[];
}

const PK = TABLE_KEYS.assetStatus.partitionKey;

/**
 * A disconnect's mark: only on an asset whose last status write came through this thing (an asset that
 * moved to another thing is not behind this connection any more), that sent nothing newer, and whose
 * mark, if any, is not newer. The status it replaces is kept, once: a newer disconnect of the same
 * thing keeps the first one's. The right-hand sides read the item as it was before the update.
 */
const MARK_OFFLINE = {
  UpdateExpression: 'SET #statusBeforeOffline = if_not_exists(#statusBeforeOffline, #status), #status = :offline, #offlineAt = :offlineAt, #updatedAt = :updatedAt',
  ConditionExpression: '#thingName = :thingName AND (attribute_not_exists(#lastSeen) OR #lastSeen <= :offlineAt) AND (attribute_not_exists(#offlineAt) OR #offlineAt <= :offlineAt)',
} as const;

/**
 * A connect's clearing: only a mark of this thing's disconnects not newer than the connect. A mark is
 * made only through the thing the item names, and the reading write that names another thing clears
 * it, so the name tells whose mark it is. Only where the mark kept a reading's status: a mark made
 * before marks kept it is left to the readings.
 */
const CLEAR_OFFLINE = {
  UpdateExpression: 'SET #status = #statusBeforeOffline, #updatedAt = :updatedAt REMOVE #offlineAt, #statusBeforeOffline',
  ConditionExpression: '#status = :offline AND #offlineAt <= :connectedAt AND #thingName = :thingName AND #statusBeforeOffline IN (:ok, :anomaly)',
} as const;

/** The `#name` aliases a hand-written update uses, read off its expressions (every name aliased, as updateExpression does). */
function aliasesOf(expressions: { readonly UpdateExpression: string; readonly ConditionExpression: string }): Record<string, string> {
  const names = `${expressions.UpdateExpression} ${expressions.ConditionExpression}`.matchAll(/#(\w+)/g);
  return Object.fromEntries([...names].map(([alias, name]) => [alias, name as string]));
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
 * Presence events and readings reach the processor on different shards, usually in different
 * containers, so writes are ordered by the IoT Core clock: a disconnect marks an asset OFFLINE only if
 * nothing newer arrived from it, and a reading clears OFFLINE only if it arrived after the disconnect.
 * The item's lastSeen is up to a status heartbeat old and the container holding the asset does not
 * know of the mark, so readings alone could leave it for a heartbeat; the thing's connect, which
 * follows its disconnect on the same shard and in order, takes the mark off.
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
    // The readings' own status replaces an OFFLINE mark, and with it the status the mark kept.
    const remove = ['offlineAt', 'statusBeforeOffline'];
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
   * ignored); a disconnect then marks the thing's assets OFFLINE, and a connect takes the marks of the
   * thing's disconnects off. Every connect that applies tries: one whose writes failed may be followed,
   * in its redelivery, by a newer connect that the batch writes instead of it.
   */
  async applyPresence(event: PresenceEvent, deadline: Deadline): Promise<PresenceOutcome> {
    const assets = await this.#applyToThing(event, deadline);
    if (assets === undefined) return { applied: false, offline: [], restored: [] };
    const written = await this.#markOrClear(event, assets, deadline);
    return event.eventType === 'disconnected' ? { applied: true, offline: written, restored: [] } : { applied: true, offline: [], restored: written };
  }

  /** The thing item's update and the assets it lists; undefined when an event as new or newer was applied already. */
  async #applyToThing(event: PresenceEvent, deadline: Deadline): Promise<readonly string[] | undefined> {
    const now = this.#options.now ?? Date.now;
    try {
      const output = await withRetry(
        (abortSignal) =>
          this.#options.doc.send(
            new UpdateCommand({
              TableName: this.#options.tableName,
              Key: { [PK]: thingStatusKey(event.thingName) },
              ...updateExpression(
                {
                  status: event.eventType === 'connected' ? ASSET_STATUS.ok : ASSET_STATUS.offline,
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
      return set instanceof Set ? [...set].filter((entry): entry is string => typeof entry === 'string') : [];
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /**
   * A disconnect's OFFLINE marks (MARK_OFFLINE; offlineAt only moves forward, so a redelivery leaves the
   * same item), or a connect's clearing of its thing's marks (CLEAR_OFFLINE), back to the status each replaced.
   */
  async #markOrClear(event: PresenceEvent, assets: readonly string[], deadline: Deadline): Promise<string[]> {
    const now = this.#options.now ?? Date.now;
    const marks = event.eventType === 'disconnected';
    const expressions = marks ? MARK_OFFLINE : CLEAR_OFFLINE;
    const values = marks
      ? { ':offlineAt': event.timestamp }
      : { ':ok': ASSET_STATUS.ok, ':anomaly': ASSET_STATUS.anomaly, ':connectedAt': event.timestamp };
    return this.#writeAssets(
      assets,
      {
        ...expressions,
        ExpressionAttributeNames: aliasesOf(expressions),
        ExpressionAttributeValues: { ':offline': ASSET_STATUS.offline, ':updatedAt': now(), ':thingName': event.thingName, ...values },
      },
      deadline,
    );
  }

  /**
   * One conditional update per asset item, side by side (distinct items); the assets whose condition
   * held. Any other failure fails the event, whose redelivery writes them all again.
   */
  async #writeAssets(assets: readonly string[], input: Omit<UpdateCommandInput, 'TableName' | 'Key'>, deadline: Deadline): Promise<string[]> {
    const results = await mapWithConcurrency(assets, ASSET_WRITE_CONCURRENCY, (assetId) => this.#update({ Key: { [PK]: assetId }, ...input }, deadline));
    const written: string[] = [];
    for (const [i, result] of results.entries()) {
      if (result.status === 'rejected') throw result.reason;
      if (result.value === 'written') written.push(assets[i] as string);
    }
    return written;
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
