import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where `npm run local` tells the other tools how to reach its emulators. */
export const LOCAL_ENDPOINTS_DIRECTORY = '.local';

/** The emulators of one running local pipeline that operator tools talk to. */
export interface LocalEndpoints {
  readonly environment: string;
  /** The DynamoDB endpoint the functions use (hot tier and status tables). */
  readonly dynamodb: string;
  /** The process serving them, so a file left by a killed pipeline is recognised. */
  readonly pid: number;
}

/** `.local/<env>/endpoints.json` below `root`. */
export function localEndpointsPath(environment: string, root: string): string {
  return join(root, LOCAL_ENDPOINTS_DIRECTORY, environment, 'endpoints.json');
}

export function writeLocalEndpoints(endpoints: LocalEndpoints, root: string): string {
  const path = localEndpointsPath(endpoints.environment, root);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(endpoints, null, 2)}\n`);
  return path;
}

export function removeLocalEndpoints(environment: string, root: string): void {
  rmSync(localEndpointsPath(environment, root), { force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs under another user, which still counts as running.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The endpoints of the local pipeline of `environment`, or an Error whose one-line message says how to start
 * it: no file, an unreadable one, or one left by a pipeline that no longer runs.
 */
export function readLocalEndpoints(environment: string, root: string): LocalEndpoints {
  const path = localEndpointsPath(environment, root);
  const start = `start it with \`npm run local -- --env ${environment}\``;
  let parsed: Partial<LocalEndpoints>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LocalEndpoints>;
  } catch {
    throw new Error(`no local pipeline of ${environment} is running (${path} is missing or unreadable); ${start}`);
  }
  if (typeof parsed.dynamodb !== 'string' || typeof parsed.pid !== 'number' || parsed.environment !== environment) {
    throw new Error(`${path} does not describe a local pipeline of ${environment}; ${start}`);
  }
  if (!isRunning(parsed.pid)) throw new Error(`the local pipeline of ${environment} that wrote ${path} (pid ${parsed.pid}) is gone; ${start}`);
  return { environment, dynamodb: parsed.dynamodb, pid: parsed.pid };
}
