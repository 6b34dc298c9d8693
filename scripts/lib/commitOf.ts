import { gitIn } from './gitIn';

export function commitOf(ref: string, cwd: string): string | undefined {
  try {
    return gitIn(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd).trim();
  } catch {
    return undefined;
  }
}
