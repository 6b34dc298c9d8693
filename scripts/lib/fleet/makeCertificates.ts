import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CERT_FILES, CERT_RENEW_BEFORE_MS, CERT_VALIDITY_DAYS } from './constants';
import { encodeCertificate } from './encodeCertificate';
import { UsageError } from './UsageError';

const CA_CN = 'plant-telemetry local CA';
const ORGANIZATION = 'plant-telemetry local';

export interface MadeCertificates {
  /** Device certificates written for things that had none. */
  readonly created: number;
  /** Device certificates replaced: expired, expiring within CERT_RENEW_BEFORE_MS, or not signed by the folder's CA. */
  readonly renewed: number;
  /** A new CA was made over an expiring one (a running `npm run local` still serves the old one's broker certificate). */
  readonly caRenewed: boolean;
  readonly ms: number;
}

function keyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

const spki = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });

/** Device certificate files of the folder: `<thing>.pem` with its `<thing>.key`, besides the CA's and the broker's. */
function deviceFiles(folder: string): string[] {
  const files = new Set(readdirSync(folder));
  return [...files]
    .filter((file) => file.endsWith(CERT_FILES.certSuffix) && file !== CERT_FILES.caCert && file !== CERT_FILES.serverCert)
    .map((file) => file.slice(0, -CERT_FILES.certSuffix.length))
    .filter((thing) => files.has(`${thing}${CERT_FILES.keySuffix}`));
}

/**
 * A local CA, the local broker's server certificate (127.0.0.1 / localhost) and one certificate per thing whose
 * CN is the thing name, all EC P-256. What exists is kept while it is signed by the folder's CA and valid for
 * more than CERT_RENEW_BEFORE_MS, so a fleet can grow and a run does not fail on a certificate that expires
 * during it; anything else is issued again, and an expiring CA is replaced together with everything it signed
 * (the broker's and every device certificate in the folder, listed or not). A folder whose certificates cannot
 * be renewed without destroying something that cannot be made again is refused with a UsageError: `ca.pem`
 * without its `ca.key` (a CA registered with IoT Core whose key was put away), a `ca.key` that is not the key of
 * `ca.pem`, certificates but no CA (e.g. ones IoT Core issued).
 */
export function makeCertificates(folder: string, thingNames: readonly string[], now: Date = new Date()): MadeCertificates {
  const started = Date.now();
  if (existsSync(folder) && !statSync(folder).isDirectory()) throw new UsageError(`--make-certs ${folder}: not a folder; name a folder (it is created when missing)`);
  mkdirSync(folder, { recursive: true });
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + CERT_VALIDITY_DAYS * 86_400_000);
  const renewBy = now.getTime() + CERT_RENEW_BEFORE_MS;
  const caCertPath = join(folder, CERT_FILES.caCert);
  const caKeyPath = join(folder, CERT_FILES.caKey);
  const serverCertPath = join(folder, CERT_FILES.serverCert);
  const existingDevices = deviceFiles(folder);
  const hasCaCert = existsSync(caCertPath);
  const hasCaKey = existsSync(caKeyPath);
  if (hasCaCert !== hasCaKey) {
    const [has, lacks] = hasCaCert ? [CERT_FILES.caCert, CERT_FILES.caKey] : [CERT_FILES.caKey, CERT_FILES.caCert];
    throw new UsageError(`${folder}: ${has} without ${lacks}; a new CA would orphan what the old one signed: put ${lacks} back, or move the folder away to start over`);
  }
  if (!hasCaCert && (existingDevices.length > 0 || existsSync(serverCertPath))) {
    const example = existingDevices[0] === undefined ? CERT_FILES.serverCert : `${existingDevices[0]}${CERT_FILES.certSuffix}`;
    throw new UsageError(`${folder}: holds certificates (${example}${existingDevices.length > 1 ? `, ${existingDevices.length - 1} more` : ''}) but no CA (${CERT_FILES.caCert}, ${CERT_FILES.caKey}) to renew them with; use an empty folder`);
  }

  let ca: { cert: X509Certificate; privateKey: KeyObject } | undefined;
  if (hasCaCert) {
    const cert = new X509Certificate(readFileSync(caCertPath));
    const privateKey = createPrivateKey(readFileSync(caKeyPath));
    if (!spki(cert.publicKey).equals(spki(createPublicKey(privateKey)))) {
      throw new UsageError(`${folder}: ${CERT_FILES.caKey} is not the key of ${CERT_FILES.caCert}; put the matching pair back, or move the folder away to start over`);
    }
    if (Date.parse(cert.validTo) > renewBy) ca = { cert, privateKey };
  }
  const caRenewed = hasCaCert && ca === undefined;
  if (ca === undefined) {
    const pair = keyPair();
    const self = { cn: CA_CN, organization: ORGANIZATION, privateKey: pair.privateKey, publicKey: pair.publicKey };
    const pem = encodeCertificate({ subjectCn: CA_CN, organization: ORGANIZATION, publicKey: pair.publicKey, issuer: self, role: 'ca', notBefore, notAfter, serial: randomBytes(16) });
    writeFileSync(caKeyPath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(caCertPath, pem);
    ca = { cert: new X509Certificate(pem), privateKey: pair.privateKey };
  }
  const caCert = ca.cert;
  const issuer = { cn: CA_CN, organization: ORGANIZATION, privateKey: ca.privateKey, publicKey: createPublicKey(ca.privateKey) };
  /**
   * Issued by this CA and valid beyond renewBy. checkIssued compares the issuer name and the authority key
   * identifier (another CA of the same name has another key); the signature itself is not verified, which would
   * make checking 2,000 certificates (at every start of npm run local and the load test) half as slow again.
   */
  const current = (certPath: string): boolean => {
    if (!existsSync(certPath)) return false;
    const cert = new X509Certificate(readFileSync(certPath));
    return cert.checkIssued(caCert) && Date.parse(cert.validTo) > renewBy;
  };
  const issue = (cn: string, role: 'server' | 'client', certPath: string, keyPath: string): void => {
    const pair = keyPair();
    writeFileSync(keyPath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(certPath, encodeCertificate({ subjectCn: cn, organization: ORGANIZATION, publicKey: pair.publicKey, issuer, role, notBefore, notAfter, serial: randomBytes(16) }));
  };
  if (!existsSync(join(folder, CERT_FILES.serverKey)) || !current(serverCertPath)) issue('localhost', 'server', serverCertPath, join(folder, CERT_FILES.serverKey));
  let created = 0;
  let renewed = 0;
  const existing = new Set(existingDevices);
  for (const thing of new Set([...thingNames, ...existingDevices])) {
    const certPath = join(folder, `${thing}${CERT_FILES.certSuffix}`);
    if (existing.has(thing) && current(certPath)) continue;
    issue(thing, 'client', certPath, join(folder, `${thing}${CERT_FILES.keySuffix}`));
    if (existing.has(thing)) renewed += 1;
    else created += 1;
  }
  return { created, renewed, caRenewed, ms: Date.now() - started };
}
