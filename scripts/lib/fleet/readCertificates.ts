import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CERT_FILES } from './constants';
import { UsageError } from './UsageError';

export interface DeviceCredentials {
  readonly cert: string;
  readonly key: string;
}

export interface FleetCertificates {
  /** The trust anchor of the broker's certificate: `--root-ca` for IoT Core, the folder's local CA otherwise. */
  readonly ca: string;
  readonly devices: ReadonlyMap<string, DeviceCredentials>;
}

/**
 * Every file a run needs, read and checked before the first connect, so a missing or expired one is one line
 * naming it and the command that makes it, not a raw ENOENT or a TLS error after the connect wait. `rootCa`:
 * the `--root-ca` file (IoT Core); without it the CA is the folder's `ca.pem`.
 */
export function readCertificates(folder: string, thingNames: readonly string[], rootCa: string | undefined, now: Date = new Date()): FleetCertificates {
  const make = `npm run simulate -- --make-certs ${folder} --devices ${thingNames.length}`;
  const remedy = `make the certificates with ${make}`;
  const certificateOf = (pem: string, file: string): X509Certificate => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw new UsageError(`--certs ${folder}: ${file} is not a PEM certificate; ${remedy}`);
    }
  };
  /** When the certificate expired, if it has. */
  const expired = (certificate: X509Certificate): string | undefined => {
    const validTo = Date.parse(certificate.validTo);
    return validTo <= now.getTime() ? new Date(validTo).toISOString() : undefined;
  };
  // A key that is not the certificate's would fail every TLS handshake after the connect wait, as an OpenSSL error.
  const checkKey = (pem: string, certificate: X509Certificate, thing: string): void => {
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch {
      throw new UsageError(`--certs ${folder}: ${thing}${CERT_FILES.keySuffix} is not a PEM private key`);
    }
    if (!certificate.checkPrivateKey(key)) throw new UsageError(`--certs ${folder}: ${thing}${CERT_FILES.keySuffix} is not the key of ${thing}${CERT_FILES.certSuffix} (each thing's certificate goes with its own key)`);
  };
  if (!existsSync(folder)) throw new UsageError(`--certs ${folder}: no such folder; ${remedy}`);
  let ca: string;
  if (rootCa !== undefined) {
    try {
      ca = readFileSync(rootCa, 'utf8');
    } catch (error) {
      throw new UsageError(`--root-ca ${rootCa}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    // A saved error page instead of the certificate would fail every handshake as an untrusted broker.
    try {
      new X509Certificate(ca);
    } catch {
      throw new UsageError(`--root-ca ${rootCa}: not a PEM certificate (Amazon Root CA 1: https://www.amazontrust.com/repository/AmazonRootCA1.pem)`);
    }
  } else {
    const caFile = join(folder, CERT_FILES.caCert);
    if (!existsSync(caFile)) throw new UsageError(`--certs ${folder}: no ${CERT_FILES.caCert} (the local CA); make the certificates with ${make}`);
    ca = readFileSync(caFile, 'utf8');
    const caExpired = expired(certificateOf(ca, CERT_FILES.caCert));
    // npm run local serves a broker certificate of this CA: it must restart to take a new one.
    if (caExpired) throw new UsageError(`--certs ${folder}: ${CERT_FILES.caCert} expired on ${caExpired}; renew the certificates with ${make}, then restart npm run local`);
  }
  const devices = new Map<string, DeviceCredentials>();
  const expiredThings: { thing: string; on: string }[] = [];
  for (const thing of thingNames) {
    const read = (suffix: string): string => {
      const file = join(folder, `${thing}${suffix}`);
      if (!existsSync(file)) throw new UsageError(`--certs ${folder}: no ${thing}${suffix}; ${remedy}`);
      return readFileSync(file, 'utf8');
    };
    const credentials = { cert: read(CERT_FILES.certSuffix), key: read(CERT_FILES.keySuffix) };
    const certificate = certificateOf(credentials.cert, `${thing}${CERT_FILES.certSuffix}`);
    checkKey(credentials.key, certificate, thing);
    const on = expired(certificate);
    if (on) expiredThings.push({ thing, on });
    devices.set(thing, credentials);
  }
  const [first] = expiredThings;
  if (first) {
    const more = expiredThings.length > 1 ? ` (and ${expiredThings.length - 1} more)` : '';
    throw new UsageError(`--certs ${folder}: ${first.thing}${CERT_FILES.certSuffix} expired on ${first.on}${more}; renew the certificates with ${make}`);
  }
  return { ca, devices };
}
