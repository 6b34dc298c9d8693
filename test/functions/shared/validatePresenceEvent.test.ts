import { validatePresenceEvent } from '../../../functions/shared/validatePresenceEvent';
import { NOW, presence } from '../../helpers/records';

describe('validatePresenceEvent', () => {
  it('keeps the session, principal, reason and connection version IoT Core sent, and never a field of the processor\'s own', () => {
    const event = validatePresenceEvent({ ...presence({ sessionIdentifier: 'session-b', versionNumber: 7, receivedAt: NOW + 90 }), sessionConnectedAt: NOW - 5 }, NOW);
    expect(event).toEqual({
      recordType: 'presence',
      eventType: 'disconnected',
      clientId: 'gw-01',
      thingName: 'gw-01',
      timestamp: NOW,
      receivedAt: NOW + 90,
      sessionIdentifier: 'session-b',
      principalIdentifier: 'principal',
      disconnectReason: 'CONNECTION_LOST',
      versionNumber: 7,
    });
  });

  it('drops an empty string (it names no session) and a versionNumber JavaScript cannot hold exactly or that is no integer', () => {
    const stripped = { recordType: 'presence', eventType: 'disconnected', clientId: 'gw-01', thingName: 'gw-01', timestamp: NOW };
    expect(validatePresenceEvent({ ...presence(), sessionIdentifier: '', principalIdentifier: '', disconnectReason: '', versionNumber: 2 ** 53 }, NOW)).toEqual(stripped);
    expect(validatePresenceEvent({ ...presence(), sessionIdentifier: '', principalIdentifier: '', disconnectReason: '', versionNumber: 1.5 }, NOW)).toEqual(stripped);
    expect(validatePresenceEvent({ ...presence(), sessionIdentifier: '', principalIdentifier: '', disconnectReason: '', versionNumber: '3' }, NOW)).toEqual(stripped);
    // The rule's receivedAt, when it is not a whole number of milliseconds: the marks then use timestamp.
    expect(validatePresenceEvent({ ...presence(), sessionIdentifier: '', principalIdentifier: '', disconnectReason: '', versionNumber: 1.5, receivedAt: '12' }, NOW)).toEqual(stripped);
  });
});
