import { gitOutput } from './gitOutput';

/** The commit a ref names, or undefined when the repository has no such commit. */
export function resolveCommit(repoDir: string, ref: string): string | undefined {
  try {
    return gitOutput(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim() || undefined;
  } catch {
    return undefined;
  }
}
