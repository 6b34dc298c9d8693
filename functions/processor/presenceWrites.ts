import type { PresenceEvent } from '../shared/types';
import { isSupersededDisconnect } from './isSupersededDisconnect';
import type { PresenceRecord } from './types';

/**
 * The events of one thing (in shard order) whose writes leave the table as all of them would, in
 * the order to write them: once a write is done, the items are as after every event up to it.
 *
 * StatusStore applies an event to the thing item only if `lastPresenceAt <= timestamp`, and a
 * disconnect only if it ends the thing's current session (not when the item's last event is a connect
 * of another session, unless the disconnect's versionNumber is higher); a disconnect that applies marks
 * the thing's assets OFFLINE (those with `lastSeen <= timestamp`), and a connect that applies takes the
 * marks of the thing's earlier disconnects off. A DUPLICATE_CLIENTID disconnect changes nothing.
 *
 * Where no disconnect can be of another session (none carries a sessionIdentifier), an event applies
 * one by one in shard order exactly when its timestamp is at least every earlier one's (if one is
 * older than the item, so are those before it). So:
 * - the thing item ends as the last of the events with the newest timestamp (the winner);
 * - the assets end as the last disconnect among those events left them: its timestamp is the
 *   highest of them, so it marks every asset an earlier disconnect marked, and its offlineAt is
 *   the one that stays; unless the winner is a connect after it, which takes those marks off as
 *   the last connect of the events would.
 * Writing that disconnect (when it is not the winner itself) and then the winner, in this order,
 * leaves the items as all the events would, with one or two writes per thing.
 *
 * With sessions, whether a disconnect applies also depends on the connect before it, which the item
 * may hold or the batch may: the same two writes hold when the events are in timestamp order and each
 * disconnect is of the session of the batch's connect before it (the usual drops and reconnects), the
 * disconnect's session then written with it (`sessionConnectedAt`: it also applies where that connect
 * would have, whatever session the item held). Otherwise (a disconnect of another session, events out
 * of order) every event is written but those older than a connect before them (no-ops).
 * DUPLICATE_CLIENTID disconnects are passed on too, for StatusStore to report (it sends no request for
 * them), each after the write that covers it, so a write never stands for an event not written yet.
 * What "as all of them would" leaves out: an ignored disconnect's record on the thing item and its log
 * line (diagnostics) when the two writes skip it (it came before the batch's first connect).
 */
export function presenceWrites(events: readonly PresenceRecord[]): PresenceRecord[] {
  const changing = events.filter((record) => !isSupersededDisconnect(record.event));
  const sessions = changing.some(({ event }) => event.eventType === 'disconnected' && event.sessionIdentifier !== undefined);
  let writes: PresenceRecord[];
  if (!sessions) writes = newestWrites(changing);
  else if (inSessionOrder(changing)) writes = newestWrites(changing).map((record) => withSessionConnect(record, changing));
  else writes = liveEvents(changing);
  return withSuperseded(writes, events.filter((record) => isSupersededDisconnect(record.event)));
}

/** The last disconnect among the events with a timestamp at least every earlier one's, then the last of them (the winner). */
function newestWrites(events: readonly PresenceRecord[]): PresenceRecord[] {
  let newest = -Infinity;
  let winner: PresenceRecord | undefined;
  let disconnect: PresenceRecord | undefined;
  for (const record of events) {
    if (record.event.timestamp < newest) continue; // older than one before it: a no-op in shard order
    newest = record.event.timestamp;
    winner = record;
    if (record.event.eventType === 'disconnected') disconnect = record;
  }
  if (winner === undefined) return [];
  return disconnect === undefined || disconnect === winner ? [winner] : [disconnect, winner];
}

/** A disconnect can only be of the session the item holds (if it comes first) or of the batch's connect before it. */
function inSessionOrder(events: readonly PresenceRecord[]): boolean {
  let previous = -Infinity;
  let connect: PresenceEvent | undefined;
  let disconnect: PresenceEvent | undefined; // of the events since the last connect
  for (const { event } of events) {
    if (event.timestamp < previous) return false;
    previous = event.timestamp;
    if (event.eventType === 'connected') {
      connect = event;
      disconnect = undefined;
      continue;
    }
    if (connect !== undefined && !ofSession(event, connect)) return false;
    // Two disconnects after the same connect may be judged against the item: only if it judges both alike.
    if (disconnect !== undefined && (disconnect.sessionIdentifier !== event.sessionIdentifier || disconnect.versionNumber !== event.versionNumber)) return false;
    disconnect = event;
  }
  return true;
}

/** StatusStore applies the disconnect right after the connect (its session, or a newer connection). */
function ofSession(disconnect: PresenceEvent, connect: PresenceEvent): boolean {
  if (disconnect.sessionIdentifier === undefined || connect.sessionIdentifier === undefined || disconnect.sessionIdentifier === connect.sessionIdentifier) return true;
  return connect.versionNumber !== undefined && disconnect.versionNumber !== undefined && connect.versionNumber < disconnect.versionNumber;
}

/** A disconnect with the timestamp of its session's connect before it in the batch, which the plan leaves out. */
function withSessionConnect(record: PresenceRecord, events: readonly PresenceRecord[]): PresenceRecord {
  if (record.event.eventType !== 'disconnected' || record.event.sessionIdentifier === undefined) return record;
  const position = events.indexOf(record);
  const connect = events.slice(0, position).findLast(({ event }) => event.eventType === 'connected');
  return connect === undefined ? record : { ...record, event: { ...record.event, sessionConnectedAt: connect.event.timestamp } };
}

/** Every event but those older than a connect before it (after that connect, applied or not, lastPresenceAt is at least its timestamp). */
function liveEvents(events: readonly PresenceRecord[]): PresenceRecord[] {
  let connectedAt = -Infinity;
  const live: PresenceRecord[] = [];
  for (const record of events) {
    if (record.event.timestamp < connectedAt) continue;
    if (record.event.eventType === 'connected') connectedAt = record.event.timestamp;
    live.push(record);
  }
  return live;
}

/** Each superseded-session disconnect right after the first write at or after it in shard order (those after every write at the end). */
function withSuperseded(writes: readonly PresenceRecord[], superseded: readonly PresenceRecord[]): PresenceRecord[] {
  const pending = [...superseded];
  const ordered: PresenceRecord[] = [];
  for (const write of writes) {
    ordered.push(write);
    while (pending.length > 0 && (pending[0] as PresenceRecord).origin.index <= write.origin.index) ordered.push(pending.shift() as PresenceRecord);
  }
  return [...ordered, ...pending];
}
