import { execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildFleetPlan } from '../../scripts/lib/fleet/buildFleetPlan';
import { ConnectPacer } from '../../scripts/lib/fleet/ConnectPacer';
import { FLEET_DEFAULTS, FLEET_LIMITS, KEEPALIVE_BOUNDS } from '../../scripts/lib/fleet/constants';
import { CLOSED_BEFORE_CONNACK, CLOSED_ON_PUBLISH, Device } from '../../scripts/lib/fleet/Device';
import { Fleet } from '../../scripts/lib/fleet/Fleet';
import { FleetStats } from '../../scripts/lib/fleet/FleetStats';
import type { AckedMessage } from '../../scripts/lib/fleet/types';
import { makeCertificates } from '../../scripts/lib/fleet/makeCertificates';
import { parseFault } from '../../scripts/lib/fleet/parseFault';
import { parseSimulateArgs, SIMULATE_USAGE } from '../../scripts/lib/fleet/parseSimulateArgs';
import { readCertificates } from '../../scripts/lib/fleet/readCertificates';
import { simulateHelp } from '../../scripts/lib/fleet/simulateHelp';
import { UsageError } from '../../scripts/lib/fleet/UsageError';
import { parseLoadtestArgs } from '../../scripts/lib/local/parseLoadtestArgs';
import { parseLocalArgs } from '../../scripts/lib/local/parseLocalArgs';

const REPOSITORY = resolve(__dirname, '../..');
const DAY_MS = 86_400_000;
const folders: string[] = [];
const tempFolder = (): string => {
  const folder = mkdtempSync(join(tmpdir(), 'simulate-test-'));
  folders.push(folder);
  return folder;
};
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const pem = (file: string): X509Certificate => new X509Certificate(readFileSync(file));

describe('simulate --fault', () => {
  const refused = (text: string): string => {
    try {
      parseFault(text, 0);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error(`${text} was accepted`);
  };

  it('takes the documented forms with their defaults', () => {
    expect(parseFault('pump-00003:step', 0)).toEqual({ assetId: 'pump-00003', kind: 'step', metric: 'temperature', size: 8, atSeconds: 0 });
    expect(parseFault('pump-00003:step:8@60', 0)).toEqual({ assetId: 'pump-00003', kind: 'step', metric: 'temperature', size: 8, atSeconds: 60 });
    expect(parseFault('pump-00003:drift:pressure:-1.5', 3)).toEqual({ assetId: 'pump-00003', kind: 'drift', metric: 'pressure', size: -1.5, atSeconds: 3 });
    expect(parseFault('pump-00003:stuck:flow@2.5', 0)).toEqual({ assetId: 'pump-00003', kind: 'stuck', metric: 'flow', size: 0, atSeconds: 2.5 });
    expect(parseFault('pump-00005:skew:600000', 0)).toEqual({ assetId: 'pump-00005', kind: 'skew', metric: undefined, size: 600000, atSeconds: 0 });
    expect(parseFault('motor-00004:oversized@10', 0)).toEqual({ assetId: 'motor-00004', kind: 'oversized', metric: undefined, size: 0, atSeconds: 10 });
  });

  it('refuses a part that would do nothing, naming it and what is allowed', () => {
    expect(refused('pump-00003:step:temprature')).toBe('--fault pump-00003:step:temprature: metric "temprature" is not one of temperature, vibration, pressure, flow, current, speed');
    expect(refused('pump-00003:step:temperature:Infinity')).toBe('--fault pump-00003:step:temperature:Infinity: size "Infinity" must be a finite decimal number');
    expect(refused('pump-00003:step:temperature:NaN')).toBe('--fault pump-00003:step:temperature:NaN: size "NaN" must be a finite decimal number');
    expect(refused('pump-00003:step:temperature:1e400')).toBe('--fault pump-00003:step:temperature:1e400: size "1e400" must be a finite decimal number');
    expect(refused('pump-00003:step:Infinity')).toBe('--fault pump-00003:step:Infinity: size "Infinity" must be a finite decimal number');
    expect(refused('pump-00003:step:0x10')).toBe('--fault pump-00003:step:0x10: size "0x10" must be a finite decimal number');
    expect(refused('pump-00003:step:temperature:pressure')).toBe('--fault pump-00003:step:temperature:pressure: one metric at most, got "temperature" and "pressure"');
    expect(refused('pump-00003:step:8:temperature')).toBe('--fault pump-00003:step:8:temperature: the metric goes before the size, got "temperature" after "8"');
    expect(refused('pump-00003:step:8:9')).toBe('--fault pump-00003:step:8:9: one size at most, got "8" and "9"');
    expect(refused('pump-00003:step@5@9')).toBe('--fault pump-00003:step@5@9: one start (@SECONDS) at most, got 2');
    expect(refused('pump-00003:step@')).toBe('--fault pump-00003:step@: start "@" must be seconds >= 0');
    expect(refused('pump-00003:step@-1')).toBe('--fault pump-00003:step@-1: start "@-1" must be seconds >= 0');
    expect(refused('pump-00003:step::8')).toBe('--fault pump-00003:step::8: a part between colons is empty');
    expect(refused(':step')).toBe('--fault :step: the asset id is missing (ASSET:KIND[:METRIC][:SIZE][@SECONDS])');
    // Faults without a metric or a size refuse one.
    expect(refused('motor-00002:garbage:temperature')).toBe('--fault motor-00002:garbage:temperature: garbage takes no metric, got "temperature"');
    expect(refused('motor-00002:oversized:5')).toBe('--fault motor-00002:oversized:5: oversized takes no size, got "5"');
    expect(refused('pump-00005:skew:temperature:600000')).toBe('--fault pump-00005:skew:temperature:600000: skew takes no metric, got "temperature"');
    expect(refused('pump-00003:stuck:temperature:5')).toBe('--fault pump-00003:stuck:temperature:5: stuck takes no size, got "5"');
    expect(refused('pump-00003:bad:3')).toBe('--fault pump-00003:bad:3: bad takes no size, got "3"');
  });

  it('refuses a skew of a fraction of a millisecond, which would make the readings INVALID_TIMESTAMP rather than skewed', () => {
    expect(refused('pump-00005:skew:1.5')).toBe('--fault pump-00005:skew:1.5: size "1.5" must be whole milliseconds');
    expect(parseFault('pump-00005:skew:-600000', 0)).toMatchObject({ kind: 'skew', size: -600000 });
  });

  it('refuses a metric the asset type does not report, listing the ones it does', () => {
    const plan = (fault: string): unknown => buildFleetPlan(4, ['line-a'], [parseFault(fault, 0)], 1, 'gw');
    expect(() => plan('pump-00003:step:speed')).toThrow(new UsageError('--fault pump-00003:step:speed: a pump has no speed; its metrics are temperature, vibration, pressure, flow, current'));
    expect(() => plan('motor-00002:step:flow')).toThrow(new UsageError('--fault motor-00002:step:flow: a motor has no flow; its metrics are temperature, vibration, current, speed'));
    expect(() => plan('pump-00099:step')).toThrow(UsageError);
    expect(() => plan('motor-00002:step:speed')).not.toThrow();
  });
});

describe('simulate command line', () => {
  it('turns a negative number into the value error of simulate, local and loadtest', () => {
    expect(() => parseSimulateArgs(['--devices', '-3'])).toThrow(new UsageError('--devices must be a whole number from 1 to 20000, got "-3"'));
    expect(() => parseSimulateArgs(['--rate', '-1'])).toThrow(new UsageError('--rate must be a number from 0.01 to 100, got "-1"'));
    expect(() => parseSimulateArgs(['--seed', '-1'])).toThrow(new UsageError('--seed must be a whole number from 0 to 4294967295, got "-1"'));
    expect(() => parseLocalArgs(['--port', '-5'])).toThrow('--port must be a whole number from 0 to 65535, got "-5"');
    expect(() => parseLoadtestArgs(['--devices', '-5', '--seconds', '5'])).toThrow('--devices must be a whole number from 1 to 20000, got "-5"');
    // A value that is not a number keeps parseArgs' own refusal.
    expect(() => parseSimulateArgs(['--certs', '-x'])).toThrow(`Option '--certs' argument is ambiguous.; ${SIMULATE_USAGE}`);
  });

  it('names --local when its port is wrong, and takes the port from it', () => {
    expect(() => parseSimulateArgs(['--local', '127.0.0.1:abc'])).toThrow(new UsageError('--local 127.0.0.1:abc: expected HOST:PORT with a port from 1 to 65535'));
    expect(() => parseSimulateArgs(['--local', '127.0.0.1'])).toThrow(new UsageError('--local 127.0.0.1: expected HOST:PORT with a port from 1 to 65535'));
    expect(() => parseSimulateArgs(['--local', '127.0.0.1:18883', '--port', '8883'])).toThrow(new UsageError('--local 127.0.0.1:18883 names the port already: drop --port 8883'));
    expect(parseSimulateArgs(['--local', '127.0.0.1:18883'])).toMatchObject({ host: '127.0.0.1', port: 18883 });
    expect(parseSimulateArgs(['--port', '18884'])).toMatchObject({ host: '127.0.0.1', port: 18884 });
  });

  it('takes --help, and names every flag in its usage', () => {
    expect(parseSimulateArgs(['--help'])).toBe('help');
    expect(parseSimulateArgs(['--devices', '-3', '--fault', 'nonsense', '--help'])).toBe('help');
    for (const flag of ['--quiet', '--hold', '--help', '--ledger', '--plan', '--seed', '--make-certs']) expect(SIMULATE_USAGE).toContain(flag);
  });

  it('takes only environments with rendered manifests, by plain name', () => {
    expect(parseSimulateArgs(['--env', 'prod'], ['dev', 'prod'])).toMatchObject({ environment: 'prod' });
    expect(() => parseSimulateArgs(['--env', '../prod'], ['dev', 'prod'])).toThrow(new UsageError('--env ../prod: not an environment with rendered manifests; one of dev, prod'));
    expect(() => parseSimulateArgs(['--env', 'qa'], ['dev', 'prod'])).toThrow(new UsageError('--env qa: not an environment with rendered manifests; one of dev, prod'));
  });

  it('takes an IoT Core endpoint as its ATS host name alone, on the ports IoT Core listens on', () => {
    const iot = ['--endpoint', 'abc123-ats.iot.sa-east-1.amazonaws.com', '--root-ca', 'AmazonRootCA1.pem'];
    expect(() => parseSimulateArgs(['--endpoint', 'https://abc123-ats.iot.sa-east-1.amazonaws.com', '--root-ca', 'r.pem'], ['dev'])).toThrow(
      new UsageError('--endpoint https://abc123-ats.iot.sa-east-1.amazonaws.com: expected the ATS host name alone, without scheme, port or path (aws iot describe-endpoint --endpoint-type iot:Data-ATS)'),
    );
    expect(() => parseSimulateArgs(['--endpoint', 'abc123-ats.iot.sa-east-1.amazonaws.com:8883', '--root-ca', 'r.pem'], ['dev'])).toThrow(
      new UsageError('--endpoint abc123-ats.iot.sa-east-1.amazonaws.com:8883: expected the ATS host name alone, without scheme, port or path (aws iot describe-endpoint --endpoint-type iot:Data-ATS)'),
    );
    expect(() => parseSimulateArgs([...iot, '--port', '1883'], ['dev'])).toThrow(new UsageError('--port 1883: IoT Core takes MQTT over TLS on 8883 or 443 only'));
    expect(parseSimulateArgs([...iot, '--port', '443'], ['dev'])).toMatchObject({ port: 443, alpn: ['x-amzn-mqtt-ca'] });
  });

  it('paces the CONNECTs of a fleet against IoT Core by default, and locally only when asked', () => {
    const iot = ['--endpoint', 'abc123-ats.iot.sa-east-1.amazonaws.com', '--root-ca', 'AmazonRootCA1.pem'];
    expect(parseSimulateArgs(iot, ['dev'])).toMatchObject({ connectRate: FLEET_LIMITS.iotConnectRate });
    expect(parseSimulateArgs([...iot, '--connect-rate', '200'], ['dev'])).toMatchObject({ connectRate: 200 });
    expect(parseSimulateArgs([], ['dev'])).toMatchObject({ connectRate: undefined });
    expect(parseSimulateArgs(['--connect-rate', '20'], ['dev'])).toMatchObject({ connectRate: 20 });
    expect(() => parseSimulateArgs(['--connect-rate', '0'], ['dev'])).toThrow(new UsageError('--connect-rate must be a number from 1 to 10000, got "0"'));
  });

  it('refuses a sample rate whose whole-millisecond timestamps would run ahead of the clock', () => {
    expect(() => parseSimulateArgs(['--rate', '100', '--readings-per-message', '500'], ['dev'])).toThrow(
      new UsageError('--rate 100 with --readings-per-message 500: a pump would take 10000 samples a second; timestamps are whole milliseconds, so at most 1000 (lower --rate or --readings-per-message)'),
    );
    // 100 messages of 2 samples a second: 200 samples, each its own millisecond.
    expect(parseSimulateArgs(['--rate', '100'], ['dev'])).toMatchObject({ rate: 100, readingsPerMessage: 8 });
  });

  it('--help names the connect pacing and the fault sizes in their units', () => {
    const help = simulateHelp(['dev']);
    expect(help).toContain('  --fault kinds: step, drift, spike, stuck, bad, garbage, oversized, skew (metric for step, drift, spike, stuck, bad; size for step and spike in sd, drift in sd/s, skew in whole ms)');
    expect(help).toContain(
      '  --connect-rate: CONNECTs a second of the whole fleet, and at most one a second per device (default 50 with --endpoint, unpaced locally); a device publishes at most 100 a second',
    );
  });

  it('refuses fleet flags a --plan would ignore', () => {
    expect(() => parseSimulateArgs(['--plan', 'p.json', '--fault', 'pump-00001:step'])).toThrow(new UsageError('--plan p.json holds the devices, their seeds and faults: --fault would do nothing with it'));
  });
});

describe('simulate certificates', () => {
  it('renews an expired CA with everything it signed, listed or not', () => {
    const folder = tempFolder();
    makeCertificates(folder, ['gw-00001', 'gw-00002'], new Date(Date.now() - 40 * DAY_MS));
    expect(() => readCertificates(folder, ['gw-00001'], undefined)).toThrow(
      new UsageError(`--certs ${folder}: ca.pem expired on ${new Date(Date.parse(pem(join(folder, 'ca.pem')).validTo)).toISOString()}; renew the certificates with npm run simulate -- --make-certs ${folder} --devices 1, then restart npm run local`),
    );
    const made = makeCertificates(folder, ['gw-00001', 'gw-00003']);
    expect(made).toMatchObject({ created: 1, renewed: 2, caRenewed: true });
    const ca = pem(join(folder, 'ca.pem'));
    for (const file of ['server.pem', 'gw-00001.pem', 'gw-00002.pem', 'gw-00003.pem']) {
      const cert = pem(join(folder, file));
      expect({ file, issued: cert.checkIssued(ca), verified: cert.verify(ca.publicKey) }).toEqual({ file, issued: true, verified: true });
      expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.now() + 29 * DAY_MS);
    }
    expect(readCertificates(folder, ['gw-00001', 'gw-00002'], undefined).devices.size).toBe(2);
    // Nothing is due now: a second run keeps it all.
    expect(makeCertificates(folder, ['gw-00001'])).toMatchObject({ created: 0, renewed: 0, caRenewed: false });
  });

  it('renews a device certificate that expires within a day and keeps the CA', () => {
    const folder = tempFolder();
    makeCertificates(folder, ['gw-00001'], new Date(Date.now() - 20 * DAY_MS));
    makeCertificates(folder, ['gw-00002'], new Date(Date.now() - 29.5 * DAY_MS));
    const before = readFileSync(join(folder, 'ca.pem'), 'utf8');
    expect(makeCertificates(folder, ['gw-00001', 'gw-00002'])).toMatchObject({ created: 0, renewed: 1, caRenewed: false });
    expect(readFileSync(join(folder, 'ca.pem'), 'utf8')).toBe(before);
    expect(Date.parse(pem(join(folder, 'gw-00002.pem')).validTo)).toBeGreaterThan(Date.now() + 29 * DAY_MS);
  });

  it('refuses to run on an expired device certificate, naming it and the command that renews it', () => {
    const folder = tempFolder();
    makeCertificates(folder, ['gw-00001', 'gw-00002', 'gw-00003'], new Date(Date.now() - 40 * DAY_MS));
    const expiredOn = new Date(Date.parse(pem(join(folder, 'gw-00001.pem')).validTo)).toISOString();
    // With --root-ca (IoT Core) the folder's CA is not used; the devices' certificates still are.
    writeFileSync(join(folder, 'root.pem'), readFileSync(join(folder, 'ca.pem')));
    expect(() => readCertificates(folder, ['gw-00001', 'gw-00002', 'gw-00003'], join(folder, 'root.pem'))).toThrow(
      new UsageError(`--certs ${folder}: gw-00001.pem expired on ${expiredOn} (and 2 more); renew the certificates with npm run simulate -- --make-certs ${folder} --devices 3`),
    );
  });

  it('refuses a --make-certs path that is a file, naming the flag', () => {
    const file = join(tempFolder(), 'not-a-folder');
    writeFileSync(file, 'x');
    expect(() => makeCertificates(file, ['gw-00001'])).toThrow(new UsageError(`--make-certs ${file}: not a folder; name a folder (it is created when missing)`));
  });

  it('refuses a folder whose CA has lost its key rather than orphan what it signed', () => {
    const folder = tempFolder();
    makeCertificates(folder, ['gw-00001']);
    unlinkSync(join(folder, 'ca.key'));
    const caBefore = readFileSync(join(folder, 'ca.pem'), 'utf8');
    expect(() => makeCertificates(folder, ['gw-00001', 'gw-00002'])).toThrow(
      new UsageError(`${folder}: ca.pem without ca.key; a new CA would orphan what the old one signed: put ca.key back, or move the folder away to start over`),
    );
    expect(readFileSync(join(folder, 'ca.pem'), 'utf8')).toBe(caBefore);
    expect(existsSync(join(folder, 'gw-00002.pem'))).toBe(false);
    // Certificates without any CA (e.g. issued by IoT Core) are not overwritten either.
    unlinkSync(join(folder, 'ca.pem'));
    expect(() => makeCertificates(folder, [])).toThrow(new UsageError(`${folder}: holds certificates (gw-00001.pem) but no CA (ca.pem, ca.key) to renew them with; use an empty folder`));
  });

  it('refuses a key that is not its certificate\'s, a key or a root CA that is not PEM, before the first handshake', () => {
    const folder = tempFolder();
    makeCertificates(folder, ['gw-00001', 'gw-00002']);
    writeFileSync(join(folder, 'gw-00001.key'), readFileSync(join(folder, 'gw-00002.key')));
    expect(() => readCertificates(folder, ['gw-00001'], undefined)).toThrow(new UsageError(`--certs ${folder}: gw-00001.key is not the key of gw-00001.pem (each thing's certificate goes with its own key)`));
    writeFileSync(join(folder, 'gw-00002.key'), 'not a key');
    expect(() => readCertificates(folder, ['gw-00002'], undefined)).toThrow(new UsageError(`--certs ${folder}: gw-00002.key is not a PEM private key`));
    writeFileSync(join(folder, 'root.pem'), '<html>Not Found</html>');
    expect(() => readCertificates(folder, ['gw-00002'], join(folder, 'root.pem'))).toThrow(
      new UsageError(`--root-ca ${join(folder, 'root.pem')}: not a PEM certificate (Amazon Root CA 1: https://www.amazontrust.com/repository/AmazonRootCA1.pem)`),
    );
  });

  it('names a missing certificate folder against IoT Core too, not its first file', () => {
    const folder = tempFolder();
    makeCertificates(folder, ['gw-00001']);
    const missing = join(folder, 'fleet-certs');
    expect(() => readCertificates(missing, ['gw-00001'], join(folder, 'ca.pem'))).toThrow(
      new UsageError(`--certs ${missing}: no such folder; make the certificates with npm run simulate -- --make-certs ${missing} --devices 1`),
    );
  });

  it('says how to make the certificates when the folder or a device certificate is missing', () => {
    const folder = tempFolder();
    expect(() => readCertificates(join(folder, 'none'), ['gw-00001'], undefined)).toThrow(
      new UsageError(`--certs ${join(folder, 'none')}: no such folder; make the certificates with npm run simulate -- --make-certs ${join(folder, 'none')} --devices 1`),
    );
    makeCertificates(folder, ['gw-00001']);
    expect(() => readCertificates(folder, ['gw-00001', 'gw-00002'], undefined)).toThrow(
      new UsageError(`--certs ${folder}: no gw-00002.pem; make the certificates with npm run simulate -- --make-certs ${folder} --devices 2`),
    );
  });
});

/** test/helpers/mqttTestBroker.ts in a child process, trusting the folder's CA: `ack`, `deny` or never answer (`silent`) publishes. */
async function startBroker(certs: string, mode: 'ack' | 'deny' | 'silent'): Promise<{ port: number; close: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPOSITORY, 'test/helpers/mqttTestBroker.ts'), certs, mode], { cwd: REPOSITORY, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((done, fail) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /port (\d+)\n/.exec(out);
      if (match) done(Number(match[1]));
    });
    child.once('exit', (code) => fail(new Error(`test broker exited with ${code ?? 'a signal'}`)));
  });
  return {
    port,
    close: () =>
      new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill();
      }),
  };
}

/** A broker that acknowledges, and the certificates of two devices it accepts. */
async function heldFleetBroker(): Promise<{ port: number; certs: string; close: () => Promise<void> }> {
  const certs = tempFolder();
  makeCertificates(certs, ['gw-00001', 'gw-00002']);
  return { ...(await startBroker(certs, 'ack')), certs };
}

/** Two devices in `--hold` mode, as the load test starts its fleet (stdin a pipe). */
function spawnHeldFleet(broker: { port: number; certs: string }, extra: readonly string[] = []): ReturnType<typeof spawn> {
  return spawn(process.execPath, ['--import', 'tsx', 'scripts/simulate.ts', '--local', `127.0.0.1:${broker.port}`, '--certs', broker.certs, '--devices', '2', '--hold', '--quiet', ...extra], {
    cwd: REPOSITORY,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/**
 * Two held devices against an acknowledging broker, answered as the load test answers them: `onHold` gets each
 * "holding until a line on stdin" in turn (1, 2, ...) and the fleet's process. Resolves when the fleet exits.
 */
async function converseWithHeldFleet(extra: readonly string[], onHold: (hold: number, fleet: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const broker = await heldFleetBroker();
  const fleet = spawnHeldFleet(broker, extra);
  try {
    let stdout = '';
    let stderr = '';
    let holds = 0;
    fleet.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    fleet.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const seen = stderr.match(/holding until a line on stdin\n/g)?.length ?? 0;
      while (holds < seen) onHold((holds += 1), fleet);
    });
    const code = await new Promise<number | null>((done) => fleet.on('exit', done));
    return { code, stdout, stderr };
  } finally {
    if (fleet.exitCode === null) fleet.kill('SIGKILL');
    await broker.close();
  }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function fleetOf(devices: number, certs: string, port: number, options: { rate?: number; connectWaitMs?: number; caFolder?: string; connectRate?: number } = {}): Fleet {
  const plan = buildFleetPlan(devices, ['line-a'], [], 1, 'gw');
  const things = plan.devices.map((d) => d.thingName);
  const { devices: credentials } = readCertificates(certs, things, undefined);
  return new Fleet({
    plan,
    connection: { host: '127.0.0.1', port, ca: readFileSync(join(options.caFolder ?? certs, 'ca.pem'), 'utf8'), alpn: undefined, keepaliveSeconds: 60 },
    credentials,
    topicOf: (device) => `dt/sp01/${device.lineId}/${device.thingName}/telemetry`,
    rate: options.rate ?? 5,
    readingsPerMessage: 8,
    connectWaitMs: options.connectWaitMs,
    connectRate: options.connectRate,
  });
}

describe('simulate fleet', () => {
  // The backoff test waits out seven reconnects, each at least FLEET_LIMITS.minConnectIntervalMs.
  jest.setTimeout(30_000);
  const certs = tempFolder();
  beforeAll(() => makeCertificates(certs, ['gw-00001', 'gw-00002', 'gw-00003']));

  it('says why connects fail as they do, and after the connect wait names the most frequent reason', async () => {
    const port = await closedPort();
    const fleet = fleetOf(2, certs, port, { connectWaitMs: 1_000 });
    const live: string[] = [];
    fleet.stats.onNewError = (message, thing) => live.push(`${thing}: ${message}`);
    const { connected, ms } = await fleet.start();
    await fleet.stop(0);
    expect(connected).toBe(0);
    expect(live).toEqual([`gw-00001: connect ECONNREFUSED 127.0.0.1:${port}`]);
    const { errorCount: errors, attempts } = fleet.stats;
    // One error per failed attempt (mqtt.js emits a TLS socket's error twice); the attempt under way at the stop may have none yet.
    expect(errors === attempts || errors === attempts - 1).toBe(true);
    expect(fleet.connectFailure(ms)).toBe(
      `no device of 2 connected in ${(ms / 1000).toFixed(1)} s (${attempts} attempts); most frequent connect error (${errors} of ${errors} errors): connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('names a broker that drops the TLS connection of a certificate its CA did not sign', async () => {
    const other = tempFolder();
    makeCertificates(other, ['gw-00001']);
    const broker = await startBroker(certs, 'ack');
    try {
      // The devices trust the broker's CA but present certificates of another one.
      const fleet = fleetOf(1, other, broker.port, { connectWaitMs: 1_000, caFolder: certs });
      const { connected } = await fleet.start();
      await fleet.stop(0);
      expect(connected).toBe(0);
      expect(fleet.stats.mostFrequentConnectError?.example).toBe(CLOSED_BEFORE_CONNACK);
    } finally {
      await broker.close();
    }
  });

  it('backs off from a broker that closes the connection on every publish, and says so', async () => {
    const broker = await startBroker(certs, 'deny');
    // Full jitter draws a thirtieth of each ceiling: never a whole number of ms, which tells the device's reconnect
    // timers from the MQTT library's own. Its delays are then the backoff itself (on top of IoT Core's one CONNECT
    // a second per client id), seen reconnect by reconnect instead of counted over a wall-clock window.
    const JITTER = 1 / 30;
    const random = jest.spyOn(Math, 'random').mockReturnValue(JITTER);
    const timers = jest.spyOn(global, 'setTimeout');
    try {
      // Paced as against IoT Core (a rate that never delays one device): one CONNECT a second per client id.
      const fleet = fleetOf(1, certs, broker.port, { rate: 5, connectRate: 1_000 });
      await fleet.start();
      const setBefore = timers.mock.calls.length;
      const reconnects = (): number[] => timers.mock.calls.slice(setBefore).map(([, ms]) => Number(ms)).filter((ms) => !Number.isInteger(ms));
      // Up to the ceiling's maximum: 200 ms, 400 ms, ... 6.4 s, then 10 s.
      const ceilings = [1, 2, 4, 8, 16, 32, 64].map((doubling) => Math.min(FLEET_LIMITS.reconnectMaxMs, FLEET_LIMITS.reconnectBaseMs * doubling));
      // Stops on a count of reconnects (timers/promises' sleep is not the spied global); notes when each CONNECT went out.
      const connectsAt: number[] = [];
      // The first CONNECT went out inside start(): the gaps are measured from the next one on.
      const before = fleet.stats.attempts;
      while (reconnects().length < ceilings.length) {
        if (fleet.stats.attempts > before + connectsAt.length) connectsAt.push(Date.now());
        await sleep(5);
      }
      await fleet.stop(0);
      // Without a PUBACK the ceiling keeps doubling; resetting it on every CONNACK would draw from 200 ms each time.
      // Each delay is the jitter on top of what is left of the second since the CONNECT before (whole ms).
      const rest = reconnects().slice(0, ceilings.length).map((delay, i) => delay - (ceilings[i] as number) * JITTER);
      for (const ms of rest) expect({ ms, whole: Math.abs(ms - Math.round(ms)) < 1e-6, upToASecond: ms >= 0 && ms <= FLEET_LIMITS.minConnectIntervalMs }).toEqual({ ms, whole: true, upToASecond: true });
      // IoT Core takes one CONNECT a second per client id (the polling sees each a few ms late, either end).
      const gaps = connectsAt.slice(1).map((at, i) => at - (connectsAt[i] as number));
      expect(gaps.length).toBeGreaterThanOrEqual(2);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(FLEET_LIMITS.minConnectIntervalMs - 15);
      expect(fleet.stats.acked).toBe(0);
      const kind = [...fleet.stats.errors.values()].find((k) => k.example === CLOSED_ON_PUBLISH);
      // Every disconnect but the stop's own came right after a publish.
      expect(kind?.count).toBeGreaterThanOrEqual(Math.max(1, fleet.stats.disconnects - 1));
      expect(fleet.stats.failed.get('refused')).toBeGreaterThanOrEqual(2);
      // A refused message goes out again on every connection: counted as resent, failed once.
      const { sent, resent, acked, failedCount, failed } = fleet.stats;
      expect(resent).toBeGreaterThanOrEqual(1);
      expect(sent - resent + (failed.get('unsent') ?? 0)).toBe(acked + failedCount);
      expect(fleet.summary()).toMatch(
        new RegExp(
          `^sent \\d+ \\(resent \\d+\\), acked 0 \\(0 readings\\), failed \\d+ \\((unsent \\d+, )?refused \\d+\\); connects \\d+, disconnects \\d+; errors ${kind?.count} \\(${kind?.count}× ${CLOSED_ON_PUBLISH.replace(/[()?]/g, '\\$&')}\\)$`,
        ),
      );
    } finally {
      timers.mockRestore();
      random.mockRestore();
      await broker.close();
    }
  });

  it('keeps the MQTT keepalive within what IoT Core accepts', () => {
    expect(FLEET_DEFAULTS.keepaliveSeconds).toBeGreaterThanOrEqual(KEEPALIVE_BOUNDS.min);
    expect(FLEET_DEFAULTS.keepaliveSeconds).toBeLessThanOrEqual(KEEPALIVE_BOUNDS.max);
    expect(KEEPALIVE_BOUNDS).toEqual({ min: 30, max: 1200 });
  });

  it('spaces CONNECTs at the fleet\'s rate: the first free slot at or after each one\'s own delay', () => {
    const pacer = new ConnectPacer(2);
    expect([pacer.reserve(0, 1_000), pacer.reserve(0, 1_000), pacer.reserve(0, 1_000)]).toEqual([0, 500, 1_000]);
    // A reconnect due after the reserved slots keeps its own delay; one due before them waits for the next slot.
    expect(pacer.reserve(5_000, 1_000)).toBe(5_000);
    expect(pacer.reserve(100, 1_000)).toBe(5_500);
    expect(new ConnectPacer(undefined).reserve(1_234.5, 1_000)).toBe(1_234.5);
  });

  it('connects a paced fleet no faster than its connect rate', async () => {
    const broker = await startBroker(certs, 'ack');
    try {
      const fleet = fleetOf(3, certs, broker.port, { connectRate: 4 });
      const { connected, ms } = await fleet.start();
      await fleet.stop(0);
      expect(connected).toBe(3);
      // Slots at 0, 250 and 500 ms: all three connected only after the third.
      expect(ms).toBeGreaterThanOrEqual(500);
      expect(fleet.stats.attempts).toBe(3);
    } finally {
      await broker.close();
    }
  });

  /** One device (a sample a message, 100 a second unless told) against `port`, its acknowledged messages in `acked`. */
  function deviceOf(port: number, options: { maxQueuedBytes?: number; rate?: number } = {}): { device: Device; stats: FleetStats; acked: AckedMessage[] } {
    const [identity] = buildFleetPlan(1, ['line-a'], [], 1, 'gw').devices;
    const credentials = readCertificates(certs, ['gw-00001'], undefined).devices.get('gw-00001');
    if (!identity || !credentials) throw new Error('no device');
    const stats = new FleetStats();
    const acked: AckedMessage[] = [];
    const device = new Device({
      identity,
      credentials,
      connection: { host: '127.0.0.1', port, ca: readFileSync(join(certs, 'ca.pem'), 'utf8'), alpn: undefined, keepaliveSeconds: 60 },
      topic: 'dt/sp01/line-a/gw-00001/telemetry',
      rate: options.rate ?? 100,
      samplesPerMessage: 1,
      faults: [],
      stats,
      onAck: (message) => acked.push(message),
      pacer: new ConnectPacer(undefined),
      minConnectIntervalMs: 0,
      maxQueuedBytes: options.maxQueuedBytes ?? FLEET_LIMITS.queueBudgetBytes,
    });
    return { device, stats, acked };
  }

  it('publishes at most 100 a second on one connection, also while it catches up after being offline', async () => {
    const broker = await startBroker(certs, 'ack');
    const { device, stats, acked } = deviceOf(broker.port);
    try {
      // Offline for a second and a half: some 150 messages wait for the connection, and 100 more come every second.
      device.startPublishing(0);
      await sleep(1_500);
      device.connect();
      while (stats.acked < 220) await sleep(20);
      await device.stop(0);
      const publishedAt = acked.map((message) => message.publishedAt);
      const busiest = Math.max(...publishedAt.map((at) => publishedAt.filter((other) => other >= at && other < at + 1_000).length));
      expect(busiest).toBe(FLEET_LIMITS.maxPublishesPerSecond);
    } finally {
      await device.stop(0);
      await broker.close();
    }
  });

  it('keeps at most its share of the queue budget while offline, dropping the oldest as overflowed, and sends the newest when it connects', async () => {
    const broker = await startBroker(certs, 'ack');
    // Room for about ten messages of one sample of five metrics (some 450 bytes each), 20 a second.
    const { device, stats, acked } = deviceOf(broker.port, { maxQueuedBytes: 4_500, rate: 20 });
    try {
      device.startPublishing(0);
      let mostQueued = 0;
      while ((stats.failed.get('overflowed') ?? 0) < 20) {
        mostQueued = Math.max(mostQueued, stats.queued);
        await sleep(10);
      }
      const queuedAtConnect = stats.queued;
      const connectedAt = Date.now();
      device.connect();
      while (stats.queued > 0 || stats.inFlight > 0 || stats.acked === 0) await sleep(20);
      await device.stop(0);
      const overflowed = stats.failed.get('overflowed') ?? 0;
      // Nothing else failed: every message generated was acknowledged or dropped as overflowed, oldest first.
      expect(Object.fromEntries(stats.failed)).toEqual({ overflowed });
      expect([stats.sent, stats.acked]).toEqual([acked.length, acked.length]);
      const taken = acked.map((message) => message.ts[0] ?? 0);
      expect(taken).toEqual([...taken].sort((a, b) => a - b));
      // The queue held what the budget holds through the outage (30-odd generated), and most of it was sent once connected.
      expect(mostQueued).toBeGreaterThanOrEqual(8);
      expect(mostQueued).toBeLessThanOrEqual(12);
      expect(taken.filter((ts) => ts < connectedAt).length).toBeGreaterThanOrEqual(queuedAtConnect - 3);
    } finally {
      await device.stop(0);
      await broker.close();
    }
  });

  it('counts what was never sent as unsent and what lacked its PUBACK at the end as timeout, not shutdown', async () => {
    // A broker that never acknowledges: every device keeps its 20 in flight and queues the rest.
    const broker = await startBroker(certs, 'silent');
    try {
      const fleet = fleetOf(1, certs, broker.port, { rate: 50 });
      await fleet.start();
      // Stops once a message waits, i.e. behind a full window, however long that took (not after a wall-clock second).
      while (fleet.stats.queued === 0) await sleep(10);
      // Read in the same turn as the stop, which ends the generating at once.
      const queued = fleet.stats.queued;
      await fleet.stop(200);
      const failed = Object.fromEntries(fleet.stats.failed);
      expect(failed).toEqual({ timeout: 20, unsent: queued });
      expect(fleet.summary()).toBe(`sent 20, acked 0 (0 readings), failed ${20 + queued} (unsent ${queued}, timeout 20); connects 1, disconnects 1; errors 0`);
    } finally {
      await broker.close();
    }
  });
});

interface Cli {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run simulate -- ...` as an operator runs it. */
function simulate(args: readonly string[]): Promise<Cli> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/simulate.ts', ...args], { cwd: REPOSITORY, timeout: 20_000 }, (error, stdout, stderr) =>
      done({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr }),
    );
  });
}

describe('npm run simulate refusals', () => {
  jest.setTimeout(30_000);

  it('are one line with one prefix and exit 2, checked before connecting', async () => {
    const certs = tempFolder();
    makeCertificates(certs, ['gw-00001', 'gw-00002', 'gw-00003', 'gw-00004', 'gw-00005']);
    const port = String(await closedPort());
    const local = ['--local', `127.0.0.1:${port}`, '--certs', certs, '--seconds', '1'];
    const runs = await Promise.all([
      simulate([...local, '--fault', 'pump-00099:step']),
      simulate([...local, '--devices', '8']),
      simulate([...local, '--devices', '5', '--ledger', '/nonexistent/dir/l.jsonl']),
      simulate([...local, '--env', '../prod']),
      simulate([...local, '--devices', '5', '--fault', 'pump-00003:step:speed']),
      simulate(['--certs', join(certs, 'missing'), '--devices', '3']),
    ]);
    expect(runs.map((run) => [run.code, run.stderr])).toEqual([
      [2, 'simulate: --fault pump-00099: no such asset in a fleet of 10 (assets are pump-00001, motor-00002, ...)\n'],
      [2, `simulate: --certs ${certs}: no gw-00006.pem; make the certificates with npm run simulate -- --make-certs ${certs} --devices 8\n`],
      [2, 'simulate: --ledger /nonexistent/dir/l.jsonl: cannot write it (ENOENT)\n'],
      [2, 'simulate: --env ../prod: not an environment with rendered manifests; one of dev, prod\n'],
      [2, 'simulate: --fault pump-00003:step:speed: a pump has no speed; its metrics are temperature, vibration, pressure, flow, current\n'],
      [2, `simulate: --certs ${join(certs, 'missing')}: no such folder; make the certificates with npm run simulate -- --make-certs ${join(certs, 'missing')} --devices 3\n`],
    ]);
  });

  it('--hold: a fleet stops when the process that started it goes away (its stdin ends), and does not publish on', async () => {
    const broker = await heldFleetBroker();
    let child: ReturnType<typeof spawn> | undefined;
    try {
      child = spawnHeldFleet(broker);
      const { stdin, stderr: errors } = child;
      let stderr = '';
      errors?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        // The load test's part: a line starts the publishing; then the "load test" goes away.
        if (/holding until a line on stdin\n/.test(stderr) && stdin?.writable === true) {
          stdin.write('go\n');
          setTimeout(() => stdin.end(), 1_500);
        }
      });
      const running = child;
      const code = await new Promise<number | null>((done) => running.on('exit', done));
      expect(stderr).toContain('simulate: stopping (stdin closed: the process that started the fleet is gone)');
      expect(code).toBe(0);
    } finally {
      // Without the fix the fleet would publish on for ever: it must not outlive the test.
      if (child?.exitCode === null) child.kill('SIGKILL');
      await broker.close();
    }
  });

  it('--hold: the line "first" makes every device publish one message, then the fleet holds again; a stdin that ends there stops it', async () => {
    // The load test's part: the first messages, then it goes away before "go".
    const run = await converseWithHeldFleet([], (hold, fleet) => (hold === 1 ? fleet.stdin?.write('first\n') : fleet.stdin?.end()));
    expect(run.stderr).toMatch(/simulate: first messages acked 2\/2 in [\d.]+ s; holding until a line on stdin\n/);
    expect(run.stderr).toContain('simulate: stopping (stdin closed: the process that started the fleet is gone)');
    expect(run.stdout).toMatch(/^simulate: sent 2, acked 2 /);
    expect(run.code).toBe(0);
  });

  it('--hold with --seconds: when the time is up the fleet stops publishing, keeps its connections, and disconnects on the next line', async () => {
    let heldAtEnd: Promise<boolean> | undefined;
    const run = await converseWithHeldFleet(['--seconds', '1'], (hold, fleet) => {
      if (hold === 1) fleet.stdin?.write('go\n');
      else {
        // The load test's part at the end: the fleet must wait for it, connected, before it disconnects.
        heldAtEnd = new Promise<boolean>((done) =>
          setTimeout(() => {
            const stillRunning = fleet.exitCode === null;
            fleet.stdin?.write('disconnect\n');
            done(stillRunning);
          }, 500),
        );
      }
    });
    expect(run.stderr).toMatch(/simulate: stopping \(1 s elapsed\), waiting up to \d+ s for PUBACKs; [^\n]*\nsimulate: publishing ended, 2\/2 devices connected; holding until a line on stdin\n/);
    expect(await heldAtEnd).toBe(true);
    expect(run.stdout).toMatch(/^simulate: sent \d+, acked \d+ .*connects 2, disconnects 2;/);
    expect(run.code).toBe(0);
  });

  it('Ctrl-C while the fleet still connects stops it with its summary, not the default kill', async () => {
    const certs = tempFolder();
    makeCertificates(certs, ['gw-00001']);
    const port = await closedPort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/simulate.ts', '--local', `127.0.0.1:${port}`, '--certs', certs, '--devices', '1', '--quiet'], {
      cwd: REPOSITORY,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => {
        const first = !stderr.includes('ECONNREFUSED');
        stderr += chunk.toString('utf8');
        // Within the 60 s connect wait: the first connect has failed, the next waits out its backoff.
        if (first && stderr.includes('ECONNREFUSED')) child.kill('SIGINT');
      });
      const code = await new Promise<number | null>((done) => child.on('exit', done));
      expect(stderr).toContain('simulate: stopping (SIGINT), waiting up to 10 s for PUBACKs;');
      expect(stderr).not.toContain('; publishing\n');
      // On a busy machine the backoff's next attempt may fail too before the signal is handled: one or more refusals.
      const summary = /^simulate: sent 0, acked 0 \(0 readings\), failed 0; connects 0, disconnects 0; errors (\d+) \((\d+)× connect ECONNREFUSED 127\.0\.0\.1:(\d+)\)\n$/.exec(stdout);
      expect(summary?.slice(1)).toEqual([summary?.[1], summary?.[1], String(port)]);
      expect(Number(summary?.[1])).toBeGreaterThanOrEqual(1);
      expect(code).toBe(1);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('--help prints the usage and exits 0', async () => {
    const run = await simulate(['--help']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout.split('\n')[0]).toBe(SIMULATE_USAGE);
  });
});
