import { numberFlag } from '../fleet/numberFlag';
import { helpRequested } from '../helpRequested';
import { parseFlags } from '../fleet/parseFlags';
import { environmentFlag } from './environmentFlag';
import type { Placement } from './FunctionHost';
import { placementFlag } from './placementFlag';
import { userPathOr } from '../userPathOr';
import { warmupSamplesFlag } from './warmupSamplesFlag';

/** The flags `local` takes; the usage names each of them (a test holds them together). */
export const LOCAL_FLAGS = {
  env: { type: 'string', default: 'dev' },
  port: { type: 'string' },
  certs: { type: 'string' },
  logs: { type: 'string' },
  'warmup-samples': { type: 'string' },
  placement: { type: 'string', default: 'random' },
  seconds: { type: 'string' },
} as const;

export const LOCAL_USAGE = 'usage: local [--env dev] [--port 8883] [--certs .local/certs] [--logs .local/logs] [--warmup-samples N] [--seconds S] [--placement random|sticky]';

export interface LocalOptions {
  readonly environment: string;
  readonly port: number;
  readonly certs: string;
  readonly logs: string;
  /** Local override of the processor's detector warm-up (DETECTOR_CONFIG.warmupSamples); undefined = as rendered. */
  readonly warmupSamples: number | undefined;
  /** Which idle execution environment an invocation takes (see FunctionHost's Placement). */
  readonly placement: Placement;
  readonly seconds: number | undefined;
}

/** The options of a local command line, 'help' for `--help`/`-h` (even beside wrong flags), or a UsageError. */
export function parseLocalArgs(args: readonly string[]): LocalOptions | 'help' {
  if (helpRequested(args)) return 'help';
  const values = parseFlags(args, LOCAL_FLAGS, LOCAL_USAGE);
  return {
    placement: placementFlag(values.placement),
    environment: environmentFlag(values.env),
    port: numberFlag('port', values.port, 8883, 0, 65535, true),
    certs: userPathOr(values.certs, '.local/certs'),
    logs: userPathOr(values.logs, '.local/logs'),
    warmupSamples: warmupSamplesFlag(values['warmup-samples']),
    seconds: values.seconds === undefined ? undefined : numberFlag('seconds', values.seconds, 0, 1, 86_400),
  };
}
