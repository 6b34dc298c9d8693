import { FAULT_KINDS } from '../fleet/constants';
import { UsageError } from '../fleet/UsageError';
import type { LoadtestOptions } from './parseLoadtestArgs';

/**
 * The fault plan's device count: each fault takes an asset of its own. The load test checks it only after every
 * flag's own value (and --env's rendered manifests) passed, so a wrong flag is named for what it is.
 */
export function refuseFaultsBeyondDevices(options: Pick<LoadtestOptions, 'devices' | 'faults' | 'faultsNamed'>): void {
  const { devices, faults } = options;
  if (faults.length <= devices) return;
  // Without --faults the operator never named the eight, so the message says how to pass fewer.
  throw new UsageError(
    options.faultsNamed
      ? `--faults ${faults.join(',')}: ${faults.length} faults need at least ${faults.length} devices (one asset per fault), got --devices ${devices}`
      : `--devices ${devices}: the default faults (one asset for each of the ${faults.length} kinds) need at least ${faults.length} devices; name at most ${devices} with --faults (e.g. --faults ${FAULT_KINDS.slice(0, Math.min(devices, 2)).join(',')}) or pass --faults "" for none`,
  );
}
