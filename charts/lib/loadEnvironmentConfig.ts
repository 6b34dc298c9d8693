import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_DIR, CONFIG_LIMITS, ConfigError, parseEnvironmentConfig, type EnvironmentConfig } from './config';
import { listEnvironments } from './listEnvironments';

/** Loads and validates `config/<environment>.yaml`. */
export function loadEnvironmentConfig(environment: string, configDir: string = CONFIG_DIR): EnvironmentConfig {
  const path = join(configDir, `${environment}.yaml`);
  const file = relative(join(configDir, '..'), path);
  if (!CONFIG_LIMITS.idPattern.test(environment) || !existsSync(path)) {
    throw new ConfigError(file, '(environment)', environment, `unknown environment; known environments are ${listEnvironments(configDir).join(', ')}`);
  }
  let document: unknown;
  try {
    document = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, '(document)', (error as Error).message.split('\n')[0], 'expected valid YAML');
  }
  return parseEnvironmentConfig(file, document);
}
