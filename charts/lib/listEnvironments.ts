import { readdirSync } from 'node:fs';
import { CONFIG_DIR, ConfigFolderError } from './config';

/** Environments that have a config file, sorted; ConfigFolderError when there is none. */
export function listEnvironments(configDir: string = CONFIG_DIR): string[] {
  let names: string[];
  try {
    names = readdirSync(configDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigFolderError(configDir, code === 'ENOTDIR' ? 'not a folder' : code === 'ENOENT' ? 'no such folder' : `cannot be read (${code ?? 'error'})`);
  }
  const environments = names
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => name.replace(/\.yaml$/, ''))
    .sort();
  if (environments.length === 0) throw new ConfigFolderError(configDir, 'holds no .yaml file');
  return environments;
}
