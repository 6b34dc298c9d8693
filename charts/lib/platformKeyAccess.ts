import { AccessStatement } from '../constructs/LeastPrivilegeRole';
import { EnvironmentConfig } from './config';
import { PlatformNames } from './names';

/**
 * `actions` on the platform key, only through `services` (kms:ViaService): the services use the key
 * with the caller's identity, so it cannot use the key through any other.
 */
export function platformKeyAccess(config: EnvironmentConfig, names: PlatformNames, services: readonly string[], actions: readonly string[], sid: string): AccessStatement {
  return {
    sid,
    actions,
    // The key id is not known at synth: any key of the account, narrowed to the platform key by alias.
    resources: [names.kmsKeysArn],
    conditions: {
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': names.kmsAlias },
      StringEquals: { 'kms:ViaService': [...services].sort().map((service) => `${service}.${config.region}.amazonaws.com`) },
    },
  };
}
