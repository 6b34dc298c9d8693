import type { PresenceEvent } from '../../../functions/shared/types';
import type {
  AlertPort,
  AnomalyAlert,
  AssetStatusUpdate,
  EpisodeRecovery,
  DetectorCheckpoint,
  DetectorStatePort,
  StatusPort,
} from '../../../functions/processor/types';

/** In-memory detectorState table. */
export class MemoryStates implements DetectorStatePort {
  readonly items = new Map<string, Record<string, unknown>>();
  loads: string[][] = [];
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
      else this.items.set(c.assetId, { assetId: c.assetId, state: JSON.stringify(c.state), lastTs: c.lastTs, lastTsMetrics: c.lastTsMetrics, savedAt: c.savedAt });
    }
    return failed.size > 0 ? { failed, error: new Error('unprocessed') } : { failed };
  }

  lastTs(assetId: string): unknown {
    return this.items.get(assetId)?.lastTs;
  }
}

/** In-memory assetStatus table recording the calls. */
export class MemoryStatus implements StatusPort {
  readonly writes: AssetStatusUpdate[] = [];
  readonly links: string[] = [];
  readonly presence: PresenceEvent[] = [];
  supersede = false;
  offlineOnDisconnect: string[] = [];
  failWith: Error | undefined;

  async writeAssetStatus(update: AssetStatusUpdate): Promise<'written' | 'superseded'> {
    if (this.failWith) throw this.failWith;
    this.writes.push(update);
    return this.supersede ? 'superseded' : 'written';
  }

  async registerThingAsset(update: Pick<AssetStatusUpdate, 'assetId' | 'thingName'>): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.links.push(`${update.thingName}>${update.assetId}`);
  }

  async applyPresence(event: PresenceEvent): Promise<{ applied: boolean; offline: readonly string[] }> {
    if (this.failWith) throw this.failWith;
    this.presence.push(event);
    return { applied: true, offline: event.eventType === 'disconnected' ? this.offlineOnDisconnect : [] };
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
