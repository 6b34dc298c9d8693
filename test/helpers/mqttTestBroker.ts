/**
 * A TLS MQTT broker on 127.0.0.1 for the simulator's tests, in its own process (aedes is an ES module, which
 * jest's CommonJS runtime cannot load): it trusts the CA of a certificate folder made by makeCertificates and
 * answers publishes as told. Prints `port <n>` once listening.
 *
 *   node --import tsx test/helpers/mqttTestBroker.ts <certs folder> ack|deny|silent
 *
 * ack: PUBACK every publish; deny: refuse it, which closes the connection (as IoT Core does on a publish the
 * device policy denies); silent: never answer it.
 */
import { Aedes, type AuthorizePublishHandler } from 'aedes';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer } from 'node:tls';

const [certs = '', mode = 'ack'] = process.argv.slice(2);
const decisions: Record<string, AuthorizePublishHandler> = {
  ack: (_client, _packet, done) => done(null),
  deny: (_client, _packet, done) => done(new Error('denied by the device policy')),
  silent: () => undefined,
};
const authorizePublish = decisions[mode];
if (!authorizePublish) throw new Error(`mode ${mode}: one of ${Object.keys(decisions).join(', ')}`);

async function main(): Promise<void> {
  const broker = await Aedes.createBroker({ authorizePublish });
  const server = createServer(
    {
      key: readFileSync(join(certs, 'server.key')),
      cert: readFileSync(join(certs, 'server.pem')),
      ca: readFileSync(join(certs, 'ca.pem')),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (socket) => broker.handle(socket),
  );
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`));
}

void main();
