import type { TLSSocket } from 'node:tls';

/**
 * The thing name a device's certificate carries (its subject CN), as IoT Core takes it for the policy's
 * `iot:Connection.Thing.ThingName`. Undefined when there is no certificate to read: a socket that is not
 * TLS, or one the device closed before the broker got to it (getPeerCertificate() is then null).
 */
export function certificateThingName(socket: Pick<TLSSocket, 'getPeerCertificate'> | object): string | undefined {
  if (!('getPeerCertificate' in socket) || typeof socket.getPeerCertificate !== 'function') return undefined;
  const certificate = (socket.getPeerCertificate() as ReturnType<TLSSocket['getPeerCertificate']> | null) ?? undefined;
  const cn: unknown = certificate?.subject?.CN;
  return typeof cn === 'string' ? cn : Array.isArray(cn) && typeof cn[0] === 'string' ? cn[0] : undefined;
}
