import { isRunning } from './isRunning';
import type { LocalEndpoints } from './localEndpoints';
import { localEndpointsPath } from './localEndpointsPath';
import { readEndpointsFile } from './readEndpointsFile';

/**
 * The endpoints file of `environment` when it names another process that is still running (a pipeline of
 * that environment is up), else undefined: no file, an unreadable one, or one left by a pipeline that is gone.
 */
export function liveLocalEndpoints(environment: string, root: string): LocalEndpoints | undefined {
  const parsed = readEndpointsFile(localEndpointsPath(environment, root));
  if (typeof parsed?.pid !== 'number' || parsed.pid === process.pid || !isRunning(parsed.pid)) return undefined;
  return { environment, dynamodb: String(parsed.dynamodb ?? ''), pid: parsed.pid, ...(typeof parsed.broker === 'string' ? { broker: parsed.broker } : {}) };
}
