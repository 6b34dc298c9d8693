import { THING_STATUS_KEY_PREFIX } from '../shared/constants';

/** Key of the item that tracks a thing's connection and the assets it reported for. */
export function thingStatusKey(thingName: string): string {
  return `${THING_STATUS_KEY_PREFIX}${thingName}`;
}
