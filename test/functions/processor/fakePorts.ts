import type { PresenceEvent } from '../../../functions/shared/types';
import { encodeCheckpoint } from '../../../functions/processor/encodeCheckpoint';
import { Processor, type ProcessorDependencies } from '../../../functions/processor/Processor';
import { capturingMetrics, MemoryQuarantine, silentLogger } from '../../helpers/fakes';
import type {
  AlertPort,
  AnomalyAlert,
  AssetStatusUpdate,
  EpisodeRecovery,
  DetectorCheckpoint,
  DetectorStatePort,
  PresenceIgnoreReason,
  ShardClaim,
  ShardLease,
  StatusPort,
} from '../../../functions/processor/types';

/** In-memory detectorState table. */
export class MemoryStates implements DetectorStatePort {
  readonly items = new Map<string, Record<string, unknown>>();
  loads: string[][] = [];
  /** Assets of every checkpoint written, in order. */
  readonly saved: string[] = [];
  failLoad: Error | undefined;
  failSaveFor = new Set<string>();

  async load(assetIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    this.loads.push([...assetIds]);
    if (this.failLoad) throw this.failLoad;
    return new Map(assetIds.filter((id) => this.items.has(id)).map((id) => [id, this.items.get(id) as Record<string, unknown>]));
  }

  async save(checkpoints: readonly DetectorCheckpoint[]): Promise<{ failed: ReadonlySet<string>; error?: unknown }> {
    const failed = new Set<string>();
    for (const c of checkpoints) {
      if (this.failSaveFor.has(c.assetId)) failed.add(c.assetId);
      else {
        this.items.set(c.assetId, encodeCheckpoint(c));
        this.saved.push(c.assetId);
      }
    }
    return failed.size > 0 ? { failed, error: new Error('unprocessed') } : { failed };
  }

  lastTs(assetId: string): unknown {
    return this.items.get(assetId)?.lastTs;
  }

  /** Shard leases, apart from the checkpoint items. */
  readonly leases = new Map<string, ShardLease>();
  readonly claims: ShardClaim[] = [];
  /** Thrown by claimShard before the lease changes. */
  failClaim: Error | undefined;

  async claimShard(claim: ShardClaim): Promise<ShardLease | undefined> {
    if (this.failClaim) throw this.failClaim;
    this.claims.push(claim);
    const previous = this.leases.get(claim.shardId);
    this.leases.set(claim.shardId, { owner: claim.owner, lastSequenceNumber: claim.lastSequenceNumber });
    return previous;
  }
}

/**
 * A thing item as StatusStore's conditions leave it: the last event applied (with its session and
 * connection version) and, while that event is a disconnect, the offlineAt it gave its assets (a connect
 * that applies is newer than every disconnect applied before it, so it takes all their marks off).
 */
export interface ThingItem {
  readonly lastPresenceAt: number;
  readonly eventType: string;
  readonly offlineAt?: number;
  readonly sessionIdentifier?: string;
  readonly versionNumber?: number;
}

/** The fields of a presence event StatusStore's conditions read. */
export type ModelPresenceEvent = Pick<PresenceEvent, 'thingName' | 'timestamp' | 'sessionIdentifier' | 'versionNumber' | 'disconnectReason' | 'sessionConnectedAt'> & {
  readonly eventType: string;
};

/** What StatusStore answers for an event (applied, or why a disconnect marked nothing). */
export interface ModelOutcome {
  readonly applied: boolean;
  readonly ignored?: PresenceIgnoreReason;
}

/** The item's last event is a connect of another session than the disconnect's, and not an older connection. */
function ofOtherSession(thing: ThingItem | undefined, event: ModelPresenceEvent): boolean {
  if (event.sessionIdentifier === undefined || thing?.eventType !== 'connected' || thing.sessionIdentifier === undefined) return false;
  if (thing.sessionIdentifier === event.sessionIdentifier) return false;
  return !(thing.versionNumber !== undefined && event.versionNumber !== undefined && thing.versionNumber < event.versionNumber);
}

/**
 * Applies one presence event with StatusStore's conditions: an event older than the item's
 * lastPresenceAt is a no-op, a DUPLICATE_CLIENTID disconnect and a disconnect of another session than
 * the item's connect change nothing (unless written in the stead of its session's connect, which would
 * have applied), and a disconnect that applies marks the assets.
 */
export function applyPresenceModel(things: Map<string, ThingItem>, event: ModelPresenceEvent): ModelOutcome {
  if (event.eventType === 'disconnected' && event.disconnectReason === 'DUPLICATE_CLIENTID') return { applied: false, ignored: 'duplicateClientId' };
  const thing = things.get(event.thingName);
  if (thing !== undefined && thing.lastPresenceAt > event.timestamp) return { applied: false };
  const disconnect = event.eventType === 'disconnected';
  const connectWouldApply = event.sessionConnectedAt !== undefined && (thing === undefined || thing.lastPresenceAt <= event.sessionConnectedAt);
  if (disconnect && !connectWouldApply && ofOtherSession(thing, event)) return { applied: false, ignored: 'otherSession' };
  const offlineAt = disconnect ? event.timestamp : undefined;
  things.set(event.thingName, {
    lastPresenceAt: event.timestamp,
    eventType: event.eventType,
    ...(offlineAt === undefined ? {} : { offlineAt }),
    ...(event.sessionIdentifier === undefined ? {} : { sessionIdentifier: event.sessionIdentifier }),
    ...(event.versionNumber === undefined ? {} : { versionNumber: event.versionNumber }),
  });
  return { applied: true };
}

/** applyPresenceModel for each event in the given order: the reference a batch's presence handling must end equal to. */
export function applyInOrder(things: Map<string, ThingItem>, events: readonly ModelPresenceEvent[]): boolean[] {
  return events.map((event) => applyPresenceModel(things, event).applied);
}

/** In-memory assetStatus table recording the calls. */
export class MemoryStatus implements StatusPort {
  readonly writes: AssetStatusUpdate[] = [];
  readonly links: string[] = [];
  readonly presence: PresenceEvent[] = [];
  /** Every write in the order it landed: `link:<asset>`, `status:<asset>`, `presence:<thing>:<eventType>:<timestamp>`. */
  readonly calls: string[] = [];
  /** Presence writes that fail (beside failWith). */
  failPresence: ((event: PresenceEvent) => boolean) | undefined;
  /** Thing items as the conditional writes leave them. */
  readonly things = new Map<string, ThingItem>();
  supersede = false;
  /** Things whose item lists the most assets it can: a link of another asset answers 'full'. */
  readonly fullThings = new Set<string>();
  offlineOnDisconnect: string[] = [];
  failWith: Error | undefined;
  /** Called for each presence write before it lands (tests hold writes in flight with it). */
  beforePresence: ((event: PresenceEvent) => Promise<void>) | undefined;
  /** Presence writes in flight now, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;

  async writeAssetStatus(update: AssetStatusUpdate): Promise<'written' | 'superseded'> {
    if (this.failWith) throw this.failWith;
    this.writes.push(update);
    this.calls.push(`status:${update.assetId}`);
    return this.supersede ? 'superseded' : 'written';
  }

  async registerThingAsset(update: Pick<AssetStatusUpdate, 'assetId' | 'thingName'>): Promise<'written' | 'full'> {
    if (this.failWith) throw this.failWith;
    this.calls.push(`link:${update.assetId}`);
    if (this.fullThings.has(update.thingName)) return 'full';
    this.links.push(`${update.thingName}>${update.assetId}`);
    return 'written';
  }

  async applyPresence(event: PresenceEvent): Promise<{ applied: boolean; offline: readonly string[]; ignored?: PresenceIgnoreReason }> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.beforePresence) await this.beforePresence(event);
      if (this.failWith) throw this.failWith;
      if (this.failPresence?.(event)) throw new Error(`presence of ${event.thingName} failed (test)`);
      this.presence.push(event);
      this.calls.push(`presence:${event.thingName}:${event.eventType}:${event.timestamp}`);
      const { applied, ignored } = applyPresenceModel(this.things, event);
      return { applied, offline: applied && event.eventType === 'disconnected' ? this.offlineOnDisconnect : [], ...(ignored === undefined ? {} : { ignored }) };
    } finally {
      this.inFlight -= 1;
    }
  }
}

export class MemoryAlerts implements AlertPort {
  readonly published: AnomalyAlert[] = [];
  readonly recoveries: EpisodeRecovery[] = [];
  /** Both kinds in publishing order, as `anomaly:<episodeId>` / `recovery:<episodeId>`. */
  readonly sequence: string[] = [];
  failWith: Error | undefined;

  async publish(alert: AnomalyAlert): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push(alert);
    this.sequence.push(`anomaly:${alert.episodeId}`);
  }

  async publishRecovery(recovery: EpisodeRecovery): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.recoveries.push(recovery);
    this.sequence.push(`recovery:${recovery.episodeId}`);
  }
}

/**
 * A processor (a new container) over in-memory ports as the unit tests build one: silent logs, captured
 * metrics, an in-memory quarantine, fresh alerts, no breakers, a 60 s status heartbeat; `deps` sets the rest
 * and may replace any of these.
 */
export function memoryProcessor(deps: Pick<ProcessorDependencies, 'settings' | 'states' | 'status' | 'now'> & Partial<ProcessorDependencies>): Processor {
  return new Processor({
    alerts: new MemoryAlerts(),
    quarantine: new MemoryQuarantine(),
    metrics: capturingMetrics().metrics,
    logger: silentLogger(),
    statusHeartbeatSeconds: 60,
    breakers: [],
    ...deps,
  });
}
