import { join } from 'node:path';
import { LOCAL_ENDPOINTS_DIRECTORY } from './localEndpoints';

/** `.local/<env>/endpoints.json` below `root`. */
export function localEndpointsPath(environment: string, root: string): string {
  return join(root, LOCAL_ENDPOINTS_DIRECTORY, environment, 'endpoints.json');
}
