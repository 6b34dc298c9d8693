import { DATA_FAULT_EVERY } from './constants';
import type { FaultSpec } from './types';

/** The message-level fault message number `index` of an asset carries, if any (garbage or oversized). */
export function planMessage(index: number, faults: readonly FaultSpec[], rate: number): 'garbage' | 'oversized' | undefined {
  for (const fault of faults) {
    if ((fault.kind === 'garbage' || fault.kind === 'oversized') && index >= Math.ceil(fault.atSeconds * rate) && index % DATA_FAULT_EVERY === 0) return fault.kind;
  }
  return undefined;
}
