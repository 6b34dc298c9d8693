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
import { createWriteStream, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildFleetPlan } from './lib/fleet/buildFleetPlan';
import { CERT_FILES, FLEET_DEFAULTS, FLEET_LIMITS } from './lib/fleet/constants';
import { Fleet } from './lib/fleet/Fleet';
import type { FleetPlan } from './lib/fleet/FleetPlan';
import { makeCertificates } from './lib/fleet/makeCertificates';
import { parseSimulateArgs, type SimulateOptions } from './lib/fleet/parseSimulateArgs';
import { readCertificates } from './lib/fleet/readCertificates';
import { readFleetTopics, type FleetTopics } from './lib/fleet/readFleetTopics';
import { simulateHelp } from './lib/fleet/simulateHelp';
import type { AckedMessage } from './lib/fleet/types';
import { UsageError } from './lib/fleet/UsageError';
import { readManifests } from './lib/local/readManifests';

const REPOSITORY = resolve(__dirname, '..');
/** Error kinds reported as they first happen; later kinds only in the summary (a broken network can make many). */
const LIVE_ERROR_KINDS = 10;

function loadPlan(options: SimulateOptions, topics: FleetTopics): FleetPlan {
  if (!options.plan) return buildFleetPlan(options.devices, topics.lines, options.faults, options.seed, FLEET_DEFAULTS.thingPrefix);
  let plan: Partial<FleetPlan>;
  try {
    plan = JSON.parse(readFileSync(options.plan, 'utf8')) as Partial<FleetPlan>;
  } catch (error) {
    throw new UsageError(`--plan ${options.plan}: cannot read it as JSON (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!Array.isArray(plan.devices) || !Array.isArray(plan.faults)) throw new UsageError(`--plan ${options.plan}: not a fleet plan (no devices and faults lists)`);
  return plan as FleetPlan;
}

/** The ledger, opened before the first connect so a path that cannot take it is a usage error, not a crash mid-run. */
function openLedger(path: string | undefined): { write(message: AckedMessage): void; close(): Promise<void> } {
  if (!path) return { write: () => undefined, close: () => Promise.resolve() };
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    throw new UsageError(`--ledger ${path}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const stream = createWriteStream(path, { fd });
  let failure: Error | undefined;
  // A write that fails later (disk full) ends the run with its reason rather than an unhandled 'error' event.
  stream.on('error', (error) => (failure ??= error));
  return {
    write: (message) => void (failure === undefined && stream.write(`${JSON.stringify(message)}\n`)),
    close: () =>
      new Promise<void>((done, fail) => {
        if (failure) fail(new Error(`--ledger ${path}: ${failure.message}`));
        else stream.end(() => (failure ? fail(new Error(`--ledger ${path}: ${failure.message}`)) : done()));
      }),
  };
}

/** Lines the load test writes to a held fleet's stdin (anything else, or the end of stdin, means go). */
const HOLD_COMMANDS = { first: 'first' } as const;

/**
 * SIGINT (Ctrl-C) and SIGTERM, listened for from before the first connect: one that comes while the fleet
 * connects or holds ends the run like one while it publishes (drain, summary), not with the default kill.
 */
function listenForStop(): { readonly signal: AbortSignal; why(): string | undefined } {
  const controller = new AbortController();
  let why: string | undefined;
  const stop = (name: string): void => {
    why ??= name;
    controller.abort();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return { signal: controller.signal, why: () => why };
}

/** The next line on stdin, trimmed; undefined when stdin ends first, or on a stop signal. */
async function nextLine(signal: AbortSignal): Promise<string | undefined> {
  process.stdin.resume();
  return new Promise<string | undefined>((done) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end < 0) return;
      finish(text.slice(0, end).trim());
    };
    const onEnd = (): void => finish(undefined);
    const finish = (line: string | undefined): void => {
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      signal.removeEventListener('abort', onEnd);
      process.stdin.pause();
      done(line);
    };
    if (signal.aborted) return finish(undefined);
    process.stdin.on('data', onData);
    process.stdin.once('end', onEnd);
    signal.addEventListener('abort', onEnd, { once: true });
  });
}

/**
 * Until `seconds` have passed (`timeUp`), a signal, or (`held`: started by the load test through a pipe) the end
 * of stdin: the load test is gone, crashed or killed, and a fleet publishing into its stopped broker would only
 * load the machine.
 */
async function waitForStop(seconds: number | undefined, held: boolean, stopping: ReturnType<typeof listenForStop>): Promise<{ why: string; timeUp: boolean }> {
  return new Promise<{ why: string; timeUp: boolean }>((done) => {
    const timer = seconds === undefined ? undefined : setTimeout(() => done({ why: `${seconds} s elapsed`, timeUp: true }), seconds * 1000);
    const stop = (why: string): void => {
      if (timer) clearTimeout(timer);
      done({ why, timeUp: false });
    };
    if (stopping.signal.aborted) return stop(stopping.why() ?? 'SIGINT');
    stopping.signal.addEventListener('abort', () => stop(stopping.why() ?? 'SIGINT'), { once: true });
    if (held) {
      if (process.stdin.readableEnded) stop('stdin closed: the process that started the fleet is gone');
      process.stdin.on('data', () => undefined);
      process.stdin.once('end', () => stop('stdin closed: the process that started the fleet is gone'));
      process.stdin.resume();
    }
  });
}

async function main(): Promise<number> {
  const options = parseSimulateArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${simulateHelp()}\n`);
    return 0;
  }
  const manifests = readManifests(join(REPOSITORY, 'manifests', options.environment), options.environment);
  const topics = readFleetTopics(manifests);
  const plan = loadPlan(options, topics);
  const thingNames = plan.devices.map((d) => d.thingName);

  if (options.makeCerts) {
    let made;
    try {
      made = makeCertificates(options.makeCerts, thingNames);
    } catch (error) {
      if (error instanceof UsageError) throw new UsageError(`--make-certs ${error.message}`);
      throw error;
    }
    const renewed = made.renewed > 0 ? `, renewed ${made.renewed} (expiring within a day, or not of this CA)` : '';
    // A running npm run local still serves the old CA's broker certificate.
    const ca = made.caRenewed ? ' (a new one: the old one was expiring; restart npm run local)' : '';
    process.stdout.write(`simulate: made ${made.created} device certificates (EC P-256)${renewed} in ${options.makeCerts} in ${made.ms} ms; CA ${join(options.makeCerts, CERT_FILES.caCert)}${ca}\n`);
    return 0;
  }

  const certificates = readCertificates(options.certs, thingNames, options.rootCa);
  const ledger = openLedger(options.ledger);
  const stopping = listenForStop();
  const fleet = new Fleet({
    plan,
    connection: {
      host: options.host,
      port: options.port,
      ca: certificates.ca,
      alpn: options.alpn,
      keepaliveSeconds: FLEET_DEFAULTS.keepaliveSeconds,
    },
    credentials: certificates.devices,
    topicOf: (device) => `$aws/rules/${topics.ruleName}/dt/${topics.plantId}/${device.lineId}/${device.thingName}/telemetry`,
    rate: options.rate,
    readingsPerMessage: options.readingsPerMessage,
    connectWaitMs: options.connectWaitSeconds * 1000,
    connectRate: options.connectRate,
    onAck: (message) => ledger.write(message),
  });

  const pace = options.connectRate === undefined ? '' : `, at most ${options.connectRate} connects/s`;
  process.stderr.write(`simulate: ${plan.devices.length} devices -> ${options.host}:${options.port}, ${options.rate} msg/s each, ${plan.faults.length} faults${pace}\n`);
  // Why connects (or publishes) fail, as it happens: a fleet that cannot connect would otherwise wait in silence.
  fleet.stats.onNewError = (message, thingName) => {
    if (fleet.stats.errors.size <= LIVE_ERROR_KINDS) process.stderr.write(`simulate: ${thingName}: ${message}${fleet.stats.errors.size === LIVE_ERROR_KINDS ? ' (further kinds of error only in the summary)' : ''}\n`);
  };
  const progress = options.quiet ? undefined : setInterval(() => process.stderr.write(`simulate: ${fleet.progressLine()}\n`), FLEET_LIMITS.progressIntervalMs);
  const connection = await fleet.start(
    options.hold
      ? async (connected, ms) => {
          process.stderr.write(`simulate: ${connected}/${plan.devices.length} connected in ${(ms / 1000).toFixed(1)} s; holding until a line on stdin\n`);
          // `first`: every device publishes its first message, and the fleet holds again (the load test's prelude).
          if ((await nextLine(stopping.signal)) === HOLD_COMMANDS.first) {
            const first = await fleet.publishFirstMessages(options.connectWaitSeconds * 1000);
            process.stderr.write(`simulate: first messages acked ${first.acked}/${plan.devices.length} in ${(first.ms / 1000).toFixed(1)} s; holding until a line on stdin\n`);
            await nextLine(stopping.signal);
          }
          process.stdin.pause();
        }
      : undefined,
    stopping.signal,
  );
  if (connection.connected === 0 && !stopping.signal.aborted) {
    if (progress) clearInterval(progress);
    process.stderr.write(`simulate: ${fleet.connectFailure(connection.ms)}\n`);
    await fleet.stop();
    await ledger.close();
    return 1;
  }
  // The load test starts its clock (chaos, busy shares) at this line; a stop signal while connecting skips it.
  if (!stopping.signal.aborted) process.stderr.write(`simulate: ${connection.connected}/${plan.devices.length} connected in ${(connection.ms / 1000).toFixed(1)} s; publishing\n`);
  const loopAtStart = performance.eventLoopUtilization();
  const cpuAtStart = process.cpuUsage();
  const stop = await waitForStop(options.seconds, options.hold, stopping);
  if (progress) clearInterval(progress);
  const loop = performance.eventLoopUtilization(loopAtStart);
  const cpu = process.cpuUsage(cpuAtStart);
  process.stderr.write(
    `simulate: stopping (${stop.why}), waiting up to ${FLEET_LIMITS.drainMs / 1000} s for PUBACKs; event loop busy ${Math.round(loop.utilization * 100)}%, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s while publishing\n`,
  );
  if (options.hold && stop.timeUp) {
    // A held fleet's run is over: the load test lets the pipeline catch up with it before the disconnects of
    // the whole fleet (a burst of presence events no plant sends) reach the processor.
    await fleet.finishPublishing();
    process.stderr.write(`simulate: publishing ended, ${fleet.connected}/${plan.devices.length} devices connected; holding until a line on stdin\n`);
    await nextLine(stopping.signal);
  }
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
