import { checkTimestamp } from './checkTimestamp';
import { PRESENCE_RECORD_TYPE, QUARANTINE_REASONS, THING_NAME_PATTERN } from './constants';
import { ValidationError } from './errors';
import type { PresenceEvent } from './types';

function optionalString(raw: Record<string, unknown>, field: string): string | undefined {
  const value = raw[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Validates an AWS IoT lifecycle event written by the presence rule. The client id is the thing
 * name (the IoT policy pins it), so it must match the thing-name pattern; the optional fields are
 * kept only when they have the documented type: a non-empty string (an empty session id would name
 * no session), and for versionNumber an integer JavaScript holds exactly (status writes compare it).
 */
export function validatePresenceEvent(raw: Record<string, unknown>, arrivedAtMs: number): PresenceEvent {
  const eventType = raw.eventType;
  if (eventType !== 'connected' && eventType !== 'disconnected') {
    throw new ValidationError(QUARANTINE_REASONS.invalidPresence, `presence eventType must be connected or disconnected, got ${JSON.stringify(eventType) ?? 'missing'}`);
  }
  const clientId = raw.clientId;
  if (typeof clientId !== 'string' || !THING_NAME_PATTERN.test(clientId)) {
    throw new ValidationError(QUARANTINE_REASONS.invalidPresence, `presence clientId must match ${THING_NAME_PATTERN.source}, got ${JSON.stringify(clientId) ?? 'missing'}`);
  }
  const thingName = raw.thingName ?? clientId;
  if (thingName !== clientId) {
    throw new ValidationError(QUARANTINE_REASONS.thingMismatch, `presence clientId ${JSON.stringify(clientId)} is not the thing ${JSON.stringify(thingName)} of the topic`);
  }
  const timestamp = checkTimestamp(raw.timestamp, arrivedAtMs, 'presence timestamp');
  const receivedAt = raw.receivedAt;
  const versionNumber = raw.versionNumber;
  const sessionIdentifier = optionalString(raw, 'sessionIdentifier');
  const principalIdentifier = optionalString(raw, 'principalIdentifier');
  const disconnectReason = optionalString(raw, 'disconnectReason');
  return {
    recordType: PRESENCE_RECORD_TYPE,
    eventType,
    clientId,
    thingName: clientId,
    timestamp,
    // The rule always adds it; one that is not a safe integer is left out, and the marks then use timestamp.
    ...(Number.isSafeInteger(receivedAt) ? { receivedAt: receivedAt as number } : {}),
    ...(sessionIdentifier === undefined ? {} : { sessionIdentifier }),
    ...(principalIdentifier === undefined ? {} : { principalIdentifier }),
    ...(disconnectReason === undefined ? {} : { disconnectReason }),
    ...(Number.isSafeInteger(versionNumber) ? { versionNumber: versionNumber as number } : {}),
  };
}
