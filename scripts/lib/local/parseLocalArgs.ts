import { numberFlag } from '../fleet/numberFlag';
import { parseFlags } from '../fleet/parseFlags';
import { UsageError } from '../fleet/UsageError';
import type { Placement } from './FunctionHost';
import { placementFlag } from './placementFlag';

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
  const values = parseFlags(
    args,
    {
      env: { type: 'string', default: 'dev' },
      port: { type: 'string' },
      certs: { type: 'string', default: '.local/certs' },
      logs: { type: 'string', default: '.local/logs' },
      'warmup-samples': { type: 'string' },
      placement: { type: 'string', default: 'random' },
      seconds: { type: 'string' },
    },
    LOCAL_USAGE,
  );
  if (!/^[a-z0-9]{1,32}$/.test(values.env ?? '')) throw new UsageError(`--env must name an environment (lower-case letters and digits), got "${values.env ?? ''}"`);
  return {
    placement: placementFlag(values.placement),
    environment: values.env ?? 'dev',
    port: numberFlag('port', values.port, 8883, 0, 65535, true),
    certs: values.certs ?? '.local/certs',
    logs: values.logs ?? '.local/logs',
    warmupSamples: values['warmup-samples'] === undefined ? undefined : numberFlag('warmup-samples', values['warmup-samples'], 400, 10, 100_000, true),
    seconds: values.seconds === undefined ? undefined : numberFlag('seconds', values.seconds, 0, 1, 86_400),
  };
}
