import type { AssetType } from './constants';
import type { FleetPlan } from './FleetPlan';
import type { FaultSpec } from './types';
import { deviceSeed } from './deviceSeed';

const TYPES: readonly AssetType[] = ['pump', 'motor'];

/**
 * `count` devices: thing `<prefix>-NNNNN` reports for asset `<type>-NNNNN` (pumps and motors alternating)
 * on the lines in turn. Faults name assets; one naming an asset outside the fleet is an error.
 */
export function buildFleetPlan(count: number, lines: readonly string[], faults: readonly FaultSpec[], seed: number, thingPrefix: string): FleetPlan {
  const devices = Array.from({ length: count }, (_, i) => {
    const number = String(i + 1).padStart(5, '0');
    const assetType = TYPES[i % TYPES.length] as AssetType;
    return { thingName: `${thingPrefix}-${number}`, assetId: `${assetType}-${number}`, assetType, lineId: lines[i % lines.length] ?? 'line', seed: deviceSeed(seed, i) };
  });
  const assets = new Set(devices.map((d) => d.assetId));
  for (const fault of faults) {
    if (!assets.has(fault.assetId)) throw new Error(`simulate: --fault ${fault.assetId}: no such asset in a fleet of ${count} (assets are pump-00001, motor-00002, ...)`);
  }
  return { devices, faults };
}
