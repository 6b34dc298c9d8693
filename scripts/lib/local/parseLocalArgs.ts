import { parseArgs } from 'node:util';
import { numberFlag } from '../fleet/numberFlag';
import { UsageError } from '../fleet/UsageError';
import { PLACEMENTS, type Placement } from './FunctionHost';

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

export function parseLocalArgs(args: readonly string[]): LocalOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        env: { type: 'string', default: 'dev' },
        port: { type: 'string' },
        certs: { type: 'string', default: '.local/certs' },
        logs: { type: 'string', default: '.local/logs' },
        'warmup-samples': { type: 'string' },
        placement: { type: 'string', default: 'random' },
        seconds: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0] ?? ''}; ${LOCAL_USAGE}`);
  }
  if (!/^[a-z0-9]{1,32}$/.test(values.env ?? '')) throw new UsageError(`--env must name an environment (lower-case letters and digits), got "${values.env ?? ''}"`);
  const placement = values.placement ?? 'random';
  if (!(PLACEMENTS as readonly string[]).includes(placement)) throw new UsageError(`--placement must be one of ${PLACEMENTS.join(', ')}, got "${placement}"`);
  return {
    placement: placement as Placement,
    environment: values.env ?? 'dev',
    port: numberFlag('port', values.port, 8883, 0, 65535, true),
    certs: values.certs ?? '.local/certs',
    logs: values.logs ?? '.local/logs',
    warmupSamples: values['warmup-samples'] === undefined ? undefined : numberFlag('warmup-samples', values['warmup-samples'], 400, 10, 100_000, true),
    seconds: values.seconds === undefined ? undefined : numberFlag('seconds', values.seconds, 0, 1, 86_400),
  };
}
