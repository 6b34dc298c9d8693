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
import { isSupersededDisconnect } from './isSupersededDisconnect';
import { thingStatusKey } from './thingStatusKey';
import type { AssetStatusUpdate, PresenceIgnoreReason, StatusPort } from './types';
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
  /**
   * Set when a disconnect ended another session than the thing's current one: 'duplicateClientId'
   * (another connection took the client id over; whatever its timestamp, nothing is written),
   * 'otherSession' (not older than the thing's last event, which is the connect of another session;
   * the thing item records the disconnect as ignored).
   */
  readonly ignored?: PresenceIgnoreReason;
}

const NOT_APPLIED: PresenceOutcome = { applied: false, offline: [], restored: [] };

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

/** The part of a disconnect's thing write that keeps it to the thing's current session (see currentSessionCondition). */
interface SessionCondition {
  readonly expression: string;
  readonly values: Record<string, unknown>;
}

/**
 * A disconnect applies to the thing only if it ends the thing's current session. The condition fails
 * only when the item's last event is a connect (its session is live) that named a session (an item
 * whose connect had none, or written before sessions counted, takes any disconnect, as before), another
 * one, and the disconnect is neither of a newer connection (a higher versionNumber: its connect is late
 * or lost) nor written in the stead of its session's connect where that would have applied
 * (sessionConnectedAt). The clauses read the item before the update. Undefined for a connect, and for a
 * disconnect without sessionIdentifier: timestamps alone decide, as before.
 */
function currentSessionCondition(event: PresenceEvent): SessionCondition | undefined {
  if (event.eventType !== 'disconnected' || event.sessionIdentifier === undefined) return undefined;
  const clauses = ['attribute_not_exists(#lastEventType)', '#lastEventType <> :connected', 'NOT attribute_type(#sessionIdentifier, :string)', '#sessionIdentifier = :sessionIdentifier'];
  const values: Record<string, unknown> = { ':connected': 'connected', ':string': 'S', ':sessionIdentifier': event.sessionIdentifier };
  if (event.versionNumber !== undefined) {
    clauses.push('#versionNumber < :versionNumber');
    values[':versionNumber'] = event.versionNumber;
  }
  if (event.sessionConnectedAt !== undefined) {
    clauses.push('#lastPresenceAt <= :sessionConnectedAt');
    values[':sessionConnectedAt'] = event.sessionConnectedAt;
  }
  return { expression: clauses.join(' OR '), values };
}

/** The thing write's timestamp order: an event older than the last one applied is a no-op. */
const NOT_OLDER = 'attribute_not_exists(#lastPresenceAt) OR #lastPresenceAt <= :lastPresenceAt';

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
 * follows its disconnect on the same shard and in order, takes the mark off. A disconnect marks only
 * when it ends the thing's current session: a device that reconnects before IoT Core noticed its old
 * connection die gets the old session's disconnect after (or stamped after) the new connect.
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
   * ignored, and so are disconnects of another session than the thing's current one: see
   * currentSessionCondition and isSupersededDisconnect); a disconnect then marks the thing's assets
   * OFFLINE, and a connect takes the marks of the thing's disconnects off. Every connect that applies
   * tries: one whose writes failed may be followed, in its redelivery, by a newer connect that the batch
   * writes instead of it.
   */
  async applyPresence(event: PresenceEvent, deadline: Deadline): Promise<PresenceOutcome> {
    if (isSupersededDisconnect(event)) return { ...NOT_APPLIED, ignored: 'duplicateClientId' };
    const session = currentSessionCondition(event);
    const assets = await this.#applyToThing(event, session, deadline);
    if (assets === undefined) {
      const ofOtherSession = session !== undefined && (await this.#recordIgnored(event, session, deadline));
      return ofOtherSession ? { ...NOT_APPLIED, ignored: 'otherSession' } : NOT_APPLIED;
    }
    const written = await this.#markOrClear(event, assets, deadline);
    return event.eventType === 'disconnected' ? { applied: true, offline: written, restored: [] } : { applied: true, offline: [], restored: written };
  }

  /**
   * The thing item's update and the assets it lists; undefined when an event as new or newer was
   * applied already, or the disconnect is of another session. sessionIdentifier and versionNumber are
   * those of the last event applied, so of the thing's current session's connect while it is connected.
   */
  async #applyToThing(event: PresenceEvent, session: SessionCondition | undefined, deadline: Deadline): Promise<readonly string[] | undefined> {
    const now = this.#options.now ?? Date.now;
    const expression = updateExpression(
      {
        status: event.eventType === 'connected' ? ASSET_STATUS.ok : ASSET_STATUS.offline,
        thingName: event.thingName,
        kind: 'thing',
        lastPresenceAt: event.timestamp,
        lastEventType: event.eventType,
        disconnectReason: event.disconnectReason ?? null,
        sessionIdentifier: event.sessionIdentifier ?? null,
        versionNumber: event.versionNumber ?? null,
        updatedAt: now(),
      },
      [],
      session?.values,
    );
    try {
      const output = await withRetry(
        (abortSignal) =>
          this.#options.doc.send(
            new UpdateCommand({
              TableName: this.#options.tableName,
              Key: { [PK]: thingStatusKey(event.thingName) },
              ...expression,
              ConditionExpression: session === undefined ? NOT_OLDER : `(${NOT_OLDER}) AND (${session.expression})`,
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
   * Records on the thing item a disconnect that is not older than its last event but of another
   * session (the condition is the thing write's with the session part negated, so it is exact even if
   * the item changed in between); false when it is older (no write). Its attributes are not read by
   * any condition, and lastPresenceAt stays: the current session's own disconnect, whatever its
   * timestamp against this one's, still applies. A redelivery writes the same values.
   */
  async #recordIgnored(event: PresenceEvent, session: SessionCondition, deadline: Deadline): Promise<boolean> {
    const expression = updateExpression(
      { ignoredDisconnectAt: event.timestamp, ignoredSessionIdentifier: event.sessionIdentifier ?? null, ignoredDisconnectReason: event.disconnectReason ?? null },
      [],
      { ...session.values, ':lastPresenceAt': event.timestamp },
      ['lastPresenceAt', 'lastEventType', 'sessionIdentifier', ...(event.versionNumber === undefined ? [] : ['versionNumber'])],
    );
    const outcome = await this.#update(
      { Key: { [PK]: thingStatusKey(event.thingName) }, ...expression, ConditionExpression: `(${NOT_OLDER}) AND NOT (${session.expression})` },
      deadline,
    );
    return outcome === 'written';
  }

  /**
   * A disconnect's OFFLINE marks (MARK_OFFLINE; offlineAt only moves forward, so a redelivery leaves the
   * same item), or a connect's clearing of its thing's marks (CLEAR_OFFLINE), back to the status each replaced.
   */
  async #markOrClear(event: PresenceEvent, assets: readonly string[], deadline: Deadline): Promise<string[]> {
    const now = this.#options.now ?? Date.now;
    const marks = event.eventType === 'disconnected';
    const expressions = marks ? MARK_OFFLINE : CLEAR_OFFLINE;
    // In the rules engine's clock, as lastSeen (telemetry's receivedAt) is: the event's own timestamp may be
    // two minutes off, and a disconnect stamped before the last reading written would mark nothing.
    const at = event.receivedAt ?? event.timestamp;
    const values = marks ? { ':offlineAt': at } : { ':ok': ASSET_STATUS.ok, ':anomaly': ASSET_STATUS.anomaly, ':connectedAt': at };
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
