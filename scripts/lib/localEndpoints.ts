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
  /** The MQTT broker (`mqtts://127.0.0.1:8883`); absent in files written before it was recorded. */
  readonly broker?: string;
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

/** The file's content, or undefined when it is missing or not a JSON object. */
function readEndpointsFile(path: string): Partial<LocalEndpoints> | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Partial<LocalEndpoints>) : undefined;
  } catch {
    return undefined;
  }
}

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
 * The endpoints file of `environment` when it names another process that is still running (a pipeline of
 * that environment is up), else undefined: no file, an unreadable one, or one left by a pipeline that is gone.
 */
export function liveLocalEndpoints(environment: string, root: string): LocalEndpoints | undefined {
  const parsed = readEndpointsFile(localEndpointsPath(environment, root));
  if (typeof parsed?.pid !== 'number' || parsed.pid === process.pid || !isRunning(parsed.pid)) return undefined;
  return { environment, dynamodb: String(parsed.dynamodb ?? ''), pid: parsed.pid, ...(typeof parsed.broker === 'string' ? { broker: parsed.broker } : {}) };
}

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
