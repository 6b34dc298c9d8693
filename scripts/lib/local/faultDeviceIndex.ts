import { ASSET_TYPES } from '../fleet/constants';

/** Asset types of the fleet, alternating by device index (buildFleetPlan: pump, motor). */
const ASSET_TYPE_COUNT = Object.keys(ASSET_TYPES).length;

/**
 * The device of the `i`th of `faults` faults: the middle of its share of the fleet, moved by one where needed
 * so that the faults take pumps and motors in turn. Asset types alternate by index, so the middle alone has the
 * same parity for every fault whenever the share is even (20 or 50 devices: all motors; 100: all pumps).
 */
export function faultDeviceIndex(i: number, faults: number, devices: number): number {
  const step = Math.max(1, Math.floor(devices / Math.max(1, faults)));
  const from = i * step;
  const middle = Math.min(devices - 1, from + Math.floor(step / 2));
  if (middle % ASSET_TYPE_COUNT === i % ASSET_TYPE_COUNT) return middle;
  // With a share of one device, index i already alternates; otherwise a neighbour in the share has the other type.
  if (middle + 1 < Math.min(devices, from + step)) return middle + 1;
  return middle - 1 >= from ? middle - 1 : middle;
}
