import { execFileSync } from 'node:child_process';

/** The inline function zips make manifest files large. */
const GIT_MAX_BUFFER = 256 * 1024 * 1024;

export function gitOutput(repoDir: string, args: readonly string[]): string {
  return execFileSync('git', ['-C', repoDir, ...args], { encoding: 'utf8', maxBuffer: GIT_MAX_BUFFER, stdio: ['ignore', 'pipe', 'pipe'] });
}
