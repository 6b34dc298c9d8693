import { ASSET_TYPES, type AssetType } from './constants';
import type { FleetPlan } from './FleetPlan';
import type { FaultSpec } from './types';
import { deviceSeed } from './deviceSeed';
import { UsageError } from './UsageError';

const TYPES: readonly AssetType[] = ['pump', 'motor'];

/**
 * `count` devices: thing `<prefix>-NNNNN` reports for asset `<type>-NNNNN` (pumps and motors alternating)
 * on the lines in turn. Faults name assets; one naming an asset outside the fleet, or a metric its asset
 * type does not report (the fault would inject nothing), is a UsageError.
 */
export function buildFleetPlan(count: number, lines: readonly string[], faults: readonly FaultSpec[], seed: number, thingPrefix: string): FleetPlan {
  const devices = Array.from({ length: count }, (_, i) => {
    const number = String(i + 1).padStart(5, '0');
    const assetType = TYPES[i % TYPES.length] as AssetType;
    return { thingName: `${thingPrefix}-${number}`, assetId: `${assetType}-${number}`, assetType, lineId: lines[i % lines.length] ?? 'line', seed: deviceSeed(seed, i) };
  });
  const typeOf = new Map(devices.map((d) => [d.assetId, d.assetType]));
  for (const fault of faults) {
    const assetType = typeOf.get(fault.assetId);
    if (assetType === undefined) throw new UsageError(`--fault ${fault.assetId}: no such asset in a fleet of ${count} (assets are pump-00001, motor-00002, ...)`);
    const metrics = ASSET_TYPES[assetType].map((m) => m.metric);
    if (fault.metric !== undefined && !(metrics as readonly string[]).includes(fault.metric)) {
      throw new UsageError(`--fault ${fault.assetId}:${fault.kind}:${fault.metric}: a ${assetType} has no ${fault.metric}; its metrics are ${metrics.join(', ')}`);
    }
  }
  return { devices, faults };
}
