import { PRESENCE_RECORD_TYPE } from '../../functions/shared/constants';

/** Lifecycle events (`$aws/events/presence/{connected|disconnected}/<clientId>`), marked for the functions. */
export function presenceSql(): string {
  return `SELECT *, '${PRESENCE_RECORD_TYPE}' AS recordType, clientId AS thingName, timestamp() AS receivedAt FROM '$aws/events/presence/+/+'`;
}
