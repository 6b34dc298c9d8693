import { ConfigFolderError } from '../../charts/lib/config';
import { listEnvironments } from '../../charts/lib/listEnvironments';

/**
 * The environments of the config folder a tool reads: `configDir` (`--config-dir` resolved, or config/ when
 * `configDirText` is undefined). A folder the flag named that holds no environment is refused naming the flag,
 * through `refuse` (each tool words its usage errors its own way).
 */
export function configFolderEnvironments(configDirText: string | undefined, configDir: string | undefined, refuse: (message: string) => Error): string[] {
  try {
    return listEnvironments(configDir);
  } catch (error) {
    if (error instanceof ConfigFolderError && configDirText !== undefined) throw refuse(`--config-dir: ${error.message}`);
    throw error;
  }
}
