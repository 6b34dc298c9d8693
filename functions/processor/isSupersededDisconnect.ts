import type { PresenceEvent } from '../shared/types';
import { SUPERSEDED_SESSION_REASON } from './constants';

/**
 * A disconnect IoT Core sends because another connection took the client id over: it ends a session
 * while the thing stays connected through the new one, so it never marks the thing's assets OFFLINE.
 */
export function isSupersededDisconnect(event: Pick<PresenceEvent, 'eventType' | 'disconnectReason'>): boolean {
  return event.eventType === 'disconnected' && event.disconnectReason === SUPERSEDED_SESSION_REASON;
}
