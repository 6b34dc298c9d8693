import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONFIG_DIR, CONFIG_FILE_NAME_RULE, CONFIG_LIMITS, ConfigError, ConfigFolderError } from './config';

/**
 * Environments that have a config file, sorted; ConfigFolderError when there is none. A YAML file named
 * otherwise than `<environment>.yaml` (`staging.yml`, `Stage.yaml`) is a ConfigError rather than skipped:
 * its environment would silently not be rendered.
 */
export function listEnvironments(configDir: string = CONFIG_DIR): string[] {
  let names: string[];
  try {
    names = readdirSync(configDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigFolderError(configDir, code === 'ENOTDIR' ? 'not a folder' : code === 'ENOENT' ? 'no such folder' : `cannot be read (${code ?? 'error'})`);
  }
  const environments: string[] = [];
  for (const name of names.sort()) {
    if (!/\.ya?ml$/i.test(name)) continue;
    const environment = name.replace(/\.yaml$/, '');
    if (environment === name || !CONFIG_LIMITS.idPattern.test(environment)) {
      throw new ConfigError(relative(join(configDir, '..'), join(configDir, name)), '(file name)', name, CONFIG_FILE_NAME_RULE);
    }
    environments.push(environment);
  }
  if (environments.length === 0) throw new ConfigFolderError(configDir, 'holds no .yaml file');
  return environments.sort();
}
