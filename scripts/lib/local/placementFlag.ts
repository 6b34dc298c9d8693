import { UsageError } from '../fleet/UsageError';
import { PLACEMENTS, type Placement } from './FunctionHost';

/** The `--placement` flag (default `random`), or a UsageError naming the choices and the value. */
export function placementFlag(text: string | undefined): Placement {
  const placement = text ?? 'random';
  if (!(PLACEMENTS as readonly string[]).includes(placement)) throw new UsageError(`--placement must be one of ${PLACEMENTS.join(', ')}, got "${placement}"`);
  return placement as Placement;
}
