import { gitIn } from './gitIn';

/**
 * The environments whose manifests are committed at `commit` (`manifests/<env>/`): an environment whose
 * config the working tree deleted is still deployed from there, and its removal is a change to report.
 */
export function committedEnvironments(commit: string, cwd: string): string[] {
  return gitIn(['ls-tree', '-d', '--name-only', commit, '--', 'manifests/'], cwd)
    .split('\n')
    .map((path) => path.slice('manifests/'.length))
    .filter((name) => name !== '' && !name.startsWith('.'))
    .sort();
}
