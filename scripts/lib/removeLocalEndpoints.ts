import { rmSync } from 'node:fs';
import { localEndpointsPath } from './localEndpointsPath';
import { readEndpointsFile } from './readEndpointsFile';

/**
 * Removes the endpoints file of `environment` only when it names `pid` (by default this process): a second
 * pipeline of the same environment, or one that was refused, must not take the file from the one running.
 * Returns whether it removed it.
 */
export function removeLocalEndpoints(environment: string, root: string, pid: number = process.pid): boolean {
  const path = localEndpointsPath(environment, root);
  if (readEndpointsFile(path)?.pid !== pid) return false;
  rmSync(path, { force: true });
  return true;
}
