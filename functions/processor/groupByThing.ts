import type { PresenceRecord } from './types';

/** The presence events of one thing in a batch, in shard order. */
export interface ThingPresence {
  readonly thingName: string;
  readonly events: readonly PresenceRecord[];
}

/** A batch's presence events per thing, in the order of each thing's first event. */
export function groupByThing(presence: readonly PresenceRecord[]): ThingPresence[] {
  const groups = new Map<string, PresenceRecord[]>();
  for (const record of presence) {
    const events = groups.get(record.event.thingName);
    if (events === undefined) groups.set(record.event.thingName, [record]);
    else events.push(record);
  }
  return [...groups].map(([thingName, events]) => ({ thingName, events }));
}
