import { isRunning } from './isRunning';
import type { LocalEndpoints } from './localEndpoints';
import { localEndpointsPath } from './localEndpointsPath';
import { readEndpointsFile } from './readEndpointsFile';

/**
 * The endpoints of the local pipeline of `environment`, or an Error whose one-line message says how to start
 * it: no file, an unreadable one, or one left by a pipeline that no longer runs.
 */
export function readLocalEndpoints(environment: string, root: string): LocalEndpoints {
  const path = localEndpointsPath(environment, root);
  const start = `start it with \`npm run local -- --env ${environment}\``;
  const parsed = readEndpointsFile(path);
  if (parsed === undefined) throw new Error(`no local pipeline of ${environment} is running (${path} is missing or unreadable); ${start}`);
  if (typeof parsed.dynamodb !== 'string' || typeof parsed.pid !== 'number' || parsed.environment !== environment) {
    throw new Error(`${path} does not describe a local pipeline of ${environment}; ${start}`);
  }
  if (!isRunning(parsed.pid)) throw new Error(`the local pipeline of ${environment} that wrote ${path} (pid ${parsed.pid}) is gone; ${start}`);
  return { environment, dynamodb: parsed.dynamodb, pid: parsed.pid };
}
