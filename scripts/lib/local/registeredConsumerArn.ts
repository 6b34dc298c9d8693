import { CONFIG_DIR } from '../../../charts/lib/config';
import { loadEnvironmentConfig } from '../../../charts/lib/loadEnvironmentConfig';
import { PlatformNames } from '../../../charts/lib/names';

/** The processor consumer's ARN as AWS would give it, registered at `registeredAt` (epoch ms). */
export function registeredConsumerArn(environment: string, registeredAt: number, configDir: string = CONFIG_DIR): string {
  return `${new PlatformNames(loadEnvironmentConfig(environment, configDir)).processorConsumerArnPrefix}${Math.floor(registeredAt / 1000)}`;
}
