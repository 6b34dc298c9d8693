import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONFIG_DIR, CONFIG_LIMITS, ConfigError, parseEnvironmentConfig, type EnvironmentConfig } from './config';
import { listEnvironments } from './listEnvironments';
import { parseConfigYaml } from './parseConfigYaml';

/**
 * Loads and validates `config/<environment>.yaml`. `now` is the time instants in the config must not be after
 * (tests pass a fixed one).
 */
export function loadEnvironmentConfig(environment: string, configDir: string = CONFIG_DIR, now: Date = new Date()): EnvironmentConfig {
  const path = join(configDir, `${environment}.yaml`);
  const file = relative(join(configDir, '..'), path);
  if (!CONFIG_LIMITS.idPattern.test(environment) || !existsSync(path)) {
    throw new ConfigError(file, '(environment)', environment, `unknown environment; known environments are ${listEnvironments(configDir).join(', ')}`);
  }
  return parseEnvironmentConfig(file, parseConfigYaml(file, readFileSync(path, 'utf8')), now);
}
