import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LocalEndpoints } from './localEndpoints';
import { localEndpointsPath } from './localEndpointsPath';

export function writeLocalEndpoints(endpoints: LocalEndpoints, root: string): string {
  const path = localEndpointsPath(endpoints.environment, root);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(endpoints, null, 2)}\n`);
  return path;
}
