import { resolve } from 'node:path';
import { LIMITS } from '../../../functions/shared/constants';
import { FLEET_DEFAULTS, FLEET_LIMITS, IOT_ALPN_PROTOCOL } from './constants';
import { ENVIRONMENT_NAME, manifestEnvironments } from './manifestEnvironments';
import { decimalNumber } from '../decimalNumber';
import { helpRequested } from '../helpRequested';
import { numberFlag } from './numberFlag';
import { parseFault } from './parseFault';
import { parseFlags } from './parseFlags';
import { refuseSampleRate } from './refuseSampleRate';
import type { FaultSpec } from './types';
import { UsageError } from './UsageError';
import { userPathOr } from '../userPathOr';

export const SIMULATE_USAGE =
  'usage: simulate [--env dev] [--devices N] [--rate MSG_PER_S] [--readings-per-message N] [--seconds S] [--fault ASSET:KIND[:METRIC][:SIZE][@S]]... ' +
  '[--local HOST:PORT | --endpoint ATS_HOST [--port 8883|443] --root-ca FILE] [--certs DIR] [--plan FILE] [--ledger FILE] [--seed N] [--connect-wait S] [--connect-rate PER_S] [--quiet] [--hold] | --make-certs DIR --devices N | --help';

/** The flags `simulate` takes; the usage names each of them (a test holds them together). */
export const SIMULATE_FLAGS = {
  env: { type: 'string', default: 'dev' },
  devices: { type: 'string' },
  rate: { type: 'string' },
  'readings-per-message': { type: 'string' },
  seconds: { type: 'string' },
  'connect-wait': { type: 'string' },
  'connect-rate': { type: 'string' },
  fault: { type: 'string', multiple: true },
  local: { type: 'string' },
  endpoint: { type: 'string' },
  port: { type: 'string' },
  'root-ca': { type: 'string' },
  certs: { type: 'string' },
  'make-certs': { type: 'string' },
  plan: { type: 'string' },
  ledger: { type: 'string' },
  seed: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  hold: { type: 'boolean', default: false },
} as const;

export const MANIFESTS = resolve(__dirname, '../../../manifests');

export interface SimulateOptions {
  readonly environment: string;
  readonly devices: number;
  readonly rate: number;
  readonly readingsPerMessage: number;
  /** Run this long, then stop as on Ctrl-C; undefined = until Ctrl-C. */
  readonly seconds: number | undefined;
  readonly faults: readonly FaultSpec[];
  readonly host: string;
  readonly port: number;
  /** Trust anchor of the broker: Amazon Root CA 1 for IoT Core, the local CA otherwise. */
  readonly rootCa: string | undefined;
  readonly alpn: readonly string[] | undefined;
  readonly certs: string;
  readonly makeCerts: string | undefined;
  readonly plan: string | undefined;
  readonly ledger: string | undefined;
  readonly seed: number;
  readonly quiet: boolean;
  /** Connect every device, then wait for a line on stdin before publishing (the load test's start signal). */
  readonly hold: boolean;
  /** Seconds to wait for every device to connect before publishing (or failing when none did). */
  readonly connectWaitSeconds: number;
  /** Fleet-wide CONNECTs per second; undefined: unpaced (the local pipeline without --connect-rate). */
  readonly connectRate: number | undefined;
}

/** IoT Core's MQTT ports: 8883, and 443 with ALPN x-amzn-mqtt-ca. */
const IOT_PORTS: readonly number[] = [8883, 443];

/** An ATS endpoint host name as `aws iot describe-endpoint` prints it: DNS labels, no scheme, port or path. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** The port of `--local HOST:PORT` (undefined without --local), refused in the flag's own words. */
function localPortOf(local: string | undefined, portText: string | undefined): number | undefined {
  if (local === undefined) return undefined;
  const port = portText === undefined ? Number.NaN : decimalNumber(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--local ${local}: expected HOST:PORT with a port from 1 to 65535`);
  return port;
}

/** The options of a simulate command line, 'help' for `--help`, or a UsageError; `environments`: those with rendered manifests. */
export function parseSimulateArgs(args: readonly string[], environments: readonly string[] = manifestEnvironments(MANIFESTS)): SimulateOptions | 'help' {
  // Asked for help, an operator gets it even when the rest of the command line is wrong.
  if (helpRequested(args)) return 'help';
  const v = parseFlags(args, SIMULATE_FLAGS, SIMULATE_USAGE);
  const environment = v.env ?? 'dev';
  // The name becomes a path (manifests/<env>): only a plain name that has rendered manifests.
  if (!ENVIRONMENT_NAME.test(environment) || !environments.includes(environment)) {
    throw new UsageError(`--env ${environment}: not an environment with rendered manifests; one of ${environments.join(', ') || '(none: run npm run synth)'}`);
  }
  if (v.plan !== undefined) {
    const ignored = (['devices', 'seed', 'fault'] as const).find((flag) => v[flag] !== undefined);
    if (ignored) throw new UsageError(`--plan ${v.plan} holds the devices, their seeds and faults: --${ignored} would do nothing with it`);
  }
  if (v.endpoint !== undefined && v.local !== undefined) throw new UsageError('--endpoint and --local exclude each other: pick IoT Core or the local pipeline');
  if (v.endpoint !== undefined && !HOST_NAME.test(v.endpoint)) {
    throw new UsageError(`--endpoint ${v.endpoint}: expected the ATS host name alone, without scheme, port or path (aws iot describe-endpoint --endpoint-type iot:Data-ATS)`);
  }
  if (v.endpoint !== undefined && v['root-ca'] === undefined) throw new UsageError(`--endpoint ${v.endpoint} needs --root-ca <file> (Amazon Root CA 1, https://www.amazontrust.com/repository/AmazonRootCA1.pem)`);
  const [localHost = '127.0.0.1', localPort] = (v.local ?? '127.0.0.1:8883').split(':');
  if (v.endpoint === undefined && localHost !== '127.0.0.1' && localHost !== 'localhost') {
    throw new UsageError(`--local ${v.local ?? ''}: the local pipeline listens on 127.0.0.1 only`);
  }
  if (v.local !== undefined && v.port !== undefined) throw new UsageError(`--local ${v.local} names the port already: drop --port ${v.port}`);
  const port = localPortOf(v.local, localPort) ?? numberFlag('port', v.port, FLEET_DEFAULTS.port, 1, 65535, true);
  if (v.endpoint !== undefined && !IOT_PORTS.includes(port)) throw new UsageError(`--port ${port}: IoT Core takes MQTT over TLS on 8883 or 443 only`);
  const seconds = v.seconds === undefined ? undefined : numberFlag('seconds', v.seconds, 0, 1, 86_400);
  const rate = numberFlag('rate', v.rate, FLEET_DEFAULTS.rate, FLEET_LIMITS.minRate, FLEET_LIMITS.maxRate);
  const readingsPerMessage = numberFlag('readings-per-message', v['readings-per-message'], FLEET_DEFAULTS.readingsPerMessage, 1, LIMITS.maxReadingsPerMessage, true);
  refuseSampleRate(rate, readingsPerMessage);
  // IoT Core throttles an account's CONNECTs beyond its quota; the local broker has none unless asked for.
  const connectRate = v['connect-rate'] === undefined && v.endpoint === undefined ? undefined : numberFlag('connect-rate', v['connect-rate'], FLEET_LIMITS.iotConnectRate, 1, FLEET_LIMITS.maxConnectRate);
  return {
    environment,
    devices: numberFlag('devices', v.devices, FLEET_DEFAULTS.devices, 1, FLEET_LIMITS.maxDevices, true),
    rate,
    readingsPerMessage,
    seconds,
    connectRate,
    connectWaitSeconds: numberFlag('connect-wait', v['connect-wait'], FLEET_LIMITS.connectWaitMs / 1000, 1, 3_600),
    faults: (v.fault ?? []).map((text) => parseFault(text, 0)),
    host: v.endpoint ?? localHost,
    port,
    rootCa: userPathOr(v['root-ca'], undefined),
    // IoT Core takes MQTT with client certificates on 443 only with this ALPN protocol.
    alpn: v.endpoint !== undefined && port === 443 ? [IOT_ALPN_PROTOCOL] : undefined,
    certs: userPathOr(v.certs, '.local/certs'),
    makeCerts: userPathOr(v['make-certs'], undefined),
    plan: userPathOr(v.plan, undefined),
    ledger: userPathOr(v.ledger, undefined),
    seed: numberFlag('seed', v.seed, 1, 0, 2 ** 32 - 1, true),
    quiet: v.quiet ?? false,
    hold: v.hold ?? false,
  };
}
