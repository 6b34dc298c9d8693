import { EnvironmentConfig } from '../../charts/lib/config';
import { LIMITS } from '../../functions/shared/constants';
import { CostUsageError, OVERRIDES, type CostOptionsFromArgs, type OverrideFlag } from './costArgs';

/** `--readings-per-message 500`, or `capacity.readingsPerMessage 8 of config/prod.yaml` when the flag was not given. */
function describeInput(flag: OverrideFlag, config: EnvironmentConfig, capacity: CostOptionsFromArgs['capacity']): string {
  const field = OVERRIDES[flag].field;
  const given = capacity[field];
  return given === undefined ? `capacity.${field} ${config.capacity[field]} of ${config.sourceFile}` : `--${flag} ${given}`;
}

/**
 * The config with the command line's capacity inputs in place of the file's, held to the checks that
 * span fields as loading the file holds them: each flag alone is within its range, but together with the
 * other inputs it must still describe traffic the platform accepts (a message within IoT Core's limit),
 * or the shard plan and its cost price messages that never arrive.
 */
export function withCapacityOverrides(config: EnvironmentConfig, capacity: CostOptionsFromArgs['capacity']): EnvironmentConfig {
  const merged: EnvironmentConfig = { ...config, capacity: { ...config.capacity, ...capacity } };
  const { readingsPerMessage, bytesPerReading } = merged.capacity;
  const messageBytes = readingsPerMessage * bytesPerReading;
  if (messageBytes > LIMITS.maxMessageBytes && (capacity.readingsPerMessage !== undefined || capacity.bytesPerReading !== undefined)) {
    throw new CostUsageError(
      `cost: ${describeInput('readings-per-message', config, capacity)} with ${describeInput('bytes-per-reading', config, capacity)}: ` +
        `a message would be ${messageBytes} bytes, over the ${LIMITS.maxMessageBytes} bytes of the data contract (IoT Core's payload limit); ` +
        `at most ${Math.floor(LIMITS.maxMessageBytes / bytesPerReading)} readings of ${bytesPerReading} bytes fit`,
    );
  }
  return merged;
}
