import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CERT_FILES, CERT_VALIDITY_DAYS } from './constants';
import { encodeCertificate } from './encodeCertificate';

const CA_CN = 'plant-telemetry local CA';
const ORGANIZATION = 'plant-telemetry local';

function keyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

/**
 * A local CA (created once, reused when the folder has one), the local broker's server certificate
 * (127.0.0.1 / localhost) and one certificate per thing whose CN is the thing name, all EC P-256. Existing
 * device files are kept, so a fleet can grow. Returns how many device certificates were written.
 */
export function makeCertificates(folder: string, thingNames: readonly string[]): { created: number; ms: number } {
  const started = Date.now();
  mkdirSync(folder, { recursive: true });
  const now = new Date(Date.now() - 60_000);
  const notAfter = new Date(now.getTime() + CERT_VALIDITY_DAYS * 86_400_000);
  const caCertPath = join(folder, CERT_FILES.caCert);
  const caKeyPath = join(folder, CERT_FILES.caKey);
  let caPrivate: KeyObject;
  if (existsSync(caCertPath) && existsSync(caKeyPath)) caPrivate = createPrivateKey(readFileSync(caKeyPath));
  else {
    const ca = keyPair();
    caPrivate = ca.privateKey;
    writeFileSync(caKeyPath, ca.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const issuer = { cn: CA_CN, organization: ORGANIZATION, privateKey: ca.privateKey, publicKey: ca.publicKey };
    writeFileSync(caCertPath, encodeCertificate({ subjectCn: CA_CN, organization: ORGANIZATION, publicKey: ca.publicKey, issuer, role: 'ca', notBefore: now, notAfter, serial: randomBytes(16) }));
  }
  const issuer = { cn: CA_CN, organization: ORGANIZATION, privateKey: caPrivate, publicKey: createPublicKey(caPrivate) };
  const issue = (cn: string, role: 'server' | 'client', certPath: string, keyPath: string): void => {
    const pair = keyPair();
    writeFileSync(keyPath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(certPath, encodeCertificate({ subjectCn: cn, organization: ORGANIZATION, publicKey: pair.publicKey, issuer, role, notBefore: now, notAfter, serial: randomBytes(16) }));
  };
  if (!existsSync(join(folder, CERT_FILES.serverCert))) issue('localhost', 'server', join(folder, CERT_FILES.serverCert), join(folder, CERT_FILES.serverKey));
  let created = 0;
  for (const thing of thingNames) {
    const certPath = join(folder, `${thing}${CERT_FILES.certSuffix}`);
    if (existsSync(certPath)) continue;
    issue(thing, 'client', certPath, join(folder, `${thing}${CERT_FILES.keySuffix}`));
    created += 1;
  }
  return { created, ms: Date.now() - started };
}
