import type { DeviceIdentity, FaultSpec } from './types';

/** Which devices a fleet runs, with their seeds and faults: built from flags, or written by the load test. */
export interface FleetPlan {
  readonly devices: ReadonlyArray<DeviceIdentity & { readonly seed: number }>;
  readonly faults: readonly FaultSpec[];
}
