/**
 * A device fleet: N things, each with its own X.509 identity and MQTT connection over TLS (client id = thing
 * name), publishing data contract v1 at QoS 1 to the environment's Basic Ingest topic
 * (`$aws/rules/<telemetry rule>/dt/<plant>/<line>/<thing>/telemetry`, read from manifests/<env>), with
 * correlated signals per asset type and faults injected per asset. Against the local pipeline (`npm run
 * local`, default 127.0.0.1:8883) or AWS IoT Core (`--endpoint <ATS host> --root-ca AmazonRootCA1.pem`).
 *
 *   npm run simulate -- --make-certs .local/certs --devices 100       # local CA + one certificate per thing
 *   npm run simulate -- --devices 100 --rate 1 --fault pump-00003:step:temperature:8@60
 *
 * Ctrl-C (or --seconds) stops it: generation stops, outstanding PUBACKs are awaited up to 10 s, and the
 * summary says what was sent, acknowledged and failed per reason. See docs/local.md.
 */
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildFleetPlan } from './lib/fleet/buildFleetPlan';
import { CERT_FILES, FLEET_DEFAULTS, FLEET_LIMITS } from './lib/fleet/constants';
import { Fleet } from './lib/fleet/Fleet';
import type { FleetPlan } from './lib/fleet/FleetPlan';
import { makeCertificates } from './lib/fleet/makeCertificates';
import { parseSimulateArgs, type SimulateOptions } from './lib/fleet/parseSimulateArgs';
import { readFleetTopics, type FleetTopics } from './lib/fleet/readFleetTopics';
import type { AckedMessage } from './lib/fleet/types';
import { UsageError } from './lib/fleet/UsageError';
import { readManifests } from './lib/local/readManifests';

const REPOSITORY = resolve(__dirname, '..');

function loadPlan(options: SimulateOptions, topics: FleetTopics): FleetPlan {
  if (options.plan) return JSON.parse(readFileSync(options.plan, 'utf8')) as FleetPlan;
  return buildFleetPlan(options.devices, topics.lines, options.faults, options.seed, FLEET_DEFAULTS.thingPrefix);
}

function openLedger(path: string | undefined): { write(message: AckedMessage): void; close(): Promise<void> } {
  if (!path) return { write: () => undefined, close: () => Promise.resolve() };
  const stream: WriteStream = createWriteStream(path);
  return {
    write: (message) => stream.write(`${JSON.stringify(message)}\n`),
    close: () => new Promise<void>((done) => stream.end(() => done())),
  };
}

async function waitForStop(seconds: number | undefined): Promise<string> {
  return new Promise<string>((done) => {
    const timer = seconds === undefined ? undefined : setTimeout(() => done(`${seconds} s elapsed`), seconds * 1000);
    const onSignal = (signal: string): void => {
      if (timer) clearTimeout(timer);
      done(signal);
    };
    process.once('SIGINT', () => onSignal('SIGINT'));
    process.once('SIGTERM', () => onSignal('SIGTERM'));
  });
}

async function main(): Promise<number> {
  const options = parseSimulateArgs(process.argv.slice(2));
  const manifests = readManifests(join(REPOSITORY, 'manifests', options.environment), options.environment);
  const topics = readFleetTopics(manifests);
  const plan = loadPlan(options, topics);

  if (options.makeCerts) {
    const made = makeCertificates(options.makeCerts, plan.devices.map((d) => d.thingName));
    process.stdout.write(`simulate: ${made.created} device certificates (EC P-256) in ${options.makeCerts} in ${made.ms} ms; CA ${join(options.makeCerts, CERT_FILES.caCert)}\n`);
    return 0;
  }

  const ledger = openLedger(options.ledger);
  const fleet = new Fleet({
    plan,
    connection: {
      host: options.host,
      port: options.port,
      ca: readFileSync(options.rootCa ?? join(options.certs, CERT_FILES.caCert), 'utf8'),
      alpn: options.alpn,
      keepaliveSeconds: FLEET_DEFAULTS.keepaliveSeconds,
    },
    certsDirectory: options.certs,
    topicOf: (device) => `$aws/rules/${topics.ruleName}/dt/${topics.plantId}/${device.lineId}/${device.thingName}/telemetry`,
    rate: options.rate,
    readingsPerMessage: options.readingsPerMessage,
    onAck: (message) => ledger.write(message),
  });

  process.stderr.write(`simulate: ${plan.devices.length} devices -> ${options.host}:${options.port}, ${options.rate} msg/s each, ${plan.faults.length} faults\n`);
  const connection = await fleet.start(
    options.hold
      ? async (connected, ms) => {
          process.stderr.write(`simulate: ${connected}/${plan.devices.length} connected in ${(ms / 1000).toFixed(1)} s; holding until a line on stdin\n`);
          await new Promise<void>((go) => {
            process.stdin.once('data', () => go());
            process.stdin.once('end', () => go());
          });
          process.stdin.pause();
        }
      : undefined,
  );
  // The load test starts its clock (chaos, busy shares) at this line.
  process.stderr.write(`simulate: ${connection.connected}/${plan.devices.length} connected in ${(connection.ms / 1000).toFixed(1)} s; publishing\n`);
  const loopAtStart = performance.eventLoopUtilization();
  const cpuAtStart = process.cpuUsage();
  const progress = options.quiet ? undefined : setInterval(() => process.stderr.write(`simulate: ${fleet.progressLine()}\n`), FLEET_LIMITS.progressIntervalMs);
  const why = await waitForStop(options.seconds);
  if (progress) clearInterval(progress);
  const loop = performance.eventLoopUtilization(loopAtStart);
  const cpu = process.cpuUsage(cpuAtStart);
  process.stderr.write(
    `simulate: stopping (${why}), waiting up to ${FLEET_LIMITS.drainMs / 1000} s for PUBACKs; event loop busy ${Math.round(loop.utilization * 100)}%, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s while publishing\n`,
  );
  await fleet.stop();
  await ledger.close();
  process.stdout.write(`simulate: ${fleet.summary()}\n`);
  return fleet.stats.acked > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
