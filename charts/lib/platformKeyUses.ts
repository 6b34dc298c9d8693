import { AccessStatement } from '../constructs/LeastPrivilegeRole';
import { EnvironmentConfig } from './config';
import { PlatformNames } from './names';
import { platformKeyAccess } from './platformKeyAccess';

/**
 * KMS use of the platform key, action by action: each action only through the services `use` lists
 * it for (kms:ViaService), one statement per action, so a principal cannot, say, decrypt through S3
 * because it writes there.
 */
export function platformKeyUses(config: EnvironmentConfig, names: PlatformNames, use: Readonly<Record<string, readonly string[]>>): AccessStatement[] {
  const actions = [...new Set(Object.values(use).flat())].sort();
  return actions.map((action) => {
    const services = Object.keys(use).filter((service) => use[service].includes(action));
    return platformKeyAccess(config, names, services, [action], `PlatformKey${action.replace('kms:', '')}`);
  });
}
