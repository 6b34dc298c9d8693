import { checkEnvironmentSet } from './checkEnvironmentSet';
import { CONFIG_DIR, EnvironmentConfig } from './config';
import { listEnvironments } from './listEnvironments';
import { loadEnvironmentConfig } from './loadEnvironmentConfig';

/** Loads every environment of a config folder and checks them as a set (see checkEnvironmentSet). */
export function loadEnvironmentSet(configDir: string = CONFIG_DIR): EnvironmentConfig[] {
  const configs = listEnvironments(configDir).map((environment) => loadEnvironmentConfig(environment, configDir));
  checkEnvironmentSet(configs);
  return configs;
}
