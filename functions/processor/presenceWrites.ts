import type { PresenceRecord } from './types';

/**
 * The events of one thing (in shard order) whose writes leave the table as all of them would.
 *
 * StatusStore applies an event to the thing item only if `lastPresenceAt <= timestamp`; a
 * disconnect that applies marks the thing's assets OFFLINE (those with `lastSeen <= timestamp`), and
 * a connect that applies takes the marks of the thing's earlier disconnects off.
 * Applied one by one in shard order, the events that apply are those whose timestamp is at least
 * every earlier one's (if one is older than the item, so are those before it). So:
 * - the thing item ends as the last of the events with the newest timestamp (the winner);
 * - the assets end as the last disconnect among those events left them: its timestamp is the
 *   highest of them, so it marks every asset an earlier disconnect marked, and its offlineAt is
 *   the one that stays; unless the winner is a connect after it, which takes those marks off as
 *   the last connect of the events would.
 * Writing that disconnect (when it is not the winner itself) and then the winner, in this order,
 * leaves the items as all the events would, with one or two writes per thing; and once a write is
 * done, the items are as after every event up to it.
 */
export function presenceWrites(events: readonly PresenceRecord[]): PresenceRecord[] {
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
