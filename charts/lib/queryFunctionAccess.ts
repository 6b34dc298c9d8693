import { AccessStatement } from '../constructs/LeastPrivilegeRole';
import { EnvironmentConfig } from './config';
import { functionRuntimeAccess } from './functionRuntimeAccess';
import { hotTierReadAccess } from './hotTierReadAccess';
import { PlatformNames } from './names';

/** The query function's role: read the hot tier, its own logs, its network interfaces. */
export function queryFunctionAccess(config: EnvironmentConfig, names: PlatformNames): AccessStatement[] {
  return [...hotTierReadAccess(config, names), ...functionRuntimeAccess(config, names, names.queryFunction)];
}
