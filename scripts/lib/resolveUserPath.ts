import { resolve } from 'node:path';

/**
 * A path from the command line, resolved from the folder the user ran the tool in: npm runs a script
 * from the package root and passes that folder as INIT_CWD, so `cd charts && npm run replay -- x.csv`
 * reads charts/x.csv. Messages still print the path as the user gave it.
 */
export function resolveUserPath(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}
