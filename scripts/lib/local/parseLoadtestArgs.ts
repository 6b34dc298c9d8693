import { LIMITS } from '../../../functions/shared/constants';
import { FAULT_KINDS, FLEET_LIMITS, type FaultKind } from '../fleet/constants';
import { numberFlag } from '../fleet/numberFlag';
import { helpRequested } from '../helpRequested';
import { parseFlags } from '../fleet/parseFlags';
import { refuseSampleRate } from '../fleet/refuseSampleRate';
import { UsageError } from '../fleet/UsageError';
import { environmentFlag } from './environmentFlag';
import type { Placement } from './FunctionHost';
import { placementFlag } from './placementFlag';
import { warmupSamplesFlag } from './warmupSamplesFlag';
import { userPathOr } from '../userPathOr';

/** The flags `loadtest` takes; the usage names each of them (a test holds them together). */
export const LOADTEST_FLAGS = {
  env: { type: 'string', default: 'dev' },
  devices: { type: 'string' },
  seconds: { type: 'string' },
  faults: { type: 'string' },
  chaos: { type: 'boolean', default: false },
  'go-live': { type: 'boolean', default: false },
  'fan-out': { type: 'boolean', default: false },
  rate: { type: 'string' },
  'readings-per-message': { type: 'string' },
  'warmup-samples': { type: 'string' },
  placement: { type: 'string', default: 'random' },
  certs: { type: 'string' },
  logs: { type: 'string' },
  'connect-wait': { type: 'string' },
} as const;

export const LOADTEST_USAGE =
  'usage: loadtest --devices N --seconds S [--faults step,drift,spike,stuck,bad,garbage,oversized,skew] [--chaos] [--go-live] [--fan-out] [--env dev] [--rate MSG_PER_S] [--readings-per-message N] [--warmup-samples N] [--placement random|sticky] [--certs .local/loadtest-certs] [--logs .local/logs] [--connect-wait S]';

/** Default faults: one asset per kind. */
export const DEFAULT_LOADTEST_FAULTS: readonly FaultKind[] = FAULT_KINDS;

export interface LoadtestOptions {
  readonly environment: string;
  readonly devices: number;
  readonly seconds: number;
  readonly faults: readonly FaultKind[];
  /** Whether --faults named the faults; without it they are the default, one per kind. */
  readonly faultsNamed: boolean;
  readonly chaos: boolean;
  /**
   * Whether the processor first meets the assets inside the measured run (a plant's go-live). By default every
   * device's first message goes before the run, and the run starts once the processor has judged them all.
   */
  readonly goLive: boolean;
  /**
   * Whether to run the environment as rendered after its move to enhanced fan-out (the processor's consumer
   * registered and its ARN in the config), rather than as `manifests/<env>` holds it.
   */
  readonly fanOut: boolean;
  readonly rate: number;
  readonly readingsPerMessage: number;
  readonly warmupSamples: number | undefined;
  /** Which idle execution environment an invocation takes (see FunctionHost's Placement). */
  readonly placement: Placement;
  readonly certs: string;
  readonly logs: string;
  /** Seconds the fleet waits for every device to connect (simulate's --connect-wait). */
  readonly connectWaitSeconds: number;
}

/**
 * The options of a loadtest command line, 'help' for `--help`/`-h` (even beside wrong flags), or a UsageError
 * naming the first flag whose own value is wrong. Whether the faults fit the devices is the fault plan's check
 * (refuseFaultsBeyondDevices), made once every flag's own value passed: a wrong --seconds must not be reported
 * as too few devices for the default faults.
 */
export function parseLoadtestArgs(args: readonly string[]): LoadtestOptions | 'help' {
  if (helpRequested(args)) return 'help';
  const values = parseFlags(args, LOADTEST_FLAGS, LOADTEST_USAGE);
  if (values.devices === undefined || values.seconds === undefined) throw new UsageError(`--devices and --seconds are required; ${LOADTEST_USAGE}`);
  const faults = values.faults === undefined ? DEFAULT_LOADTEST_FAULTS : values.faults === '' ? [] : values.faults.split(',');
  for (const kind of faults) if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--faults: "${kind}" is not one of ${FAULT_KINDS.join(', ')}`);
  const devices = numberFlag('devices', values.devices, 0, 1, FLEET_LIMITS.maxDevices, true);
  const rate = numberFlag('rate', values.rate, devices <= 200 ? 5 : 1, FLEET_LIMITS.minRate, FLEET_LIMITS.maxRate);
  const readingsPerMessage = numberFlag('readings-per-message', values['readings-per-message'], 8, 1, LIMITS.maxReadingsPerMessage, true);
  // Refused here, in the load test's own words, rather than by the fleet it would start after the pipeline.
  refuseSampleRate(rate, readingsPerMessage);
  return {
    placement: placementFlag(values.placement),
    environment: environmentFlag(values.env),
    devices,
    seconds: numberFlag('seconds', values.seconds, 0, 5, 3600),
    faults: faults as FaultKind[],
    faultsNamed: values.faults !== undefined,
    chaos: values.chaos ?? false,
    goLive: values['go-live'] ?? false,
    fanOut: values['fan-out'] ?? false,
    rate,
    readingsPerMessage,
    warmupSamples: warmupSamplesFlag(values['warmup-samples']),
    certs: userPathOr(values.certs, '.local/loadtest-certs'),
    logs: userPathOr(values.logs, '.local/logs'),
    connectWaitSeconds: numberFlag('connect-wait', values['connect-wait'], FLEET_LIMITS.connectWaitMs / 1000, 1, 3_600),
  };
}
