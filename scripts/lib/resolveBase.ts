import { commitOf } from './commitOf';
import { defaultBase, type BaseCommit } from './defaultBase';
import { DiffUsageError } from './manifestDiffArgs';
import { shortCommit } from './shortCommit';

/**
 * The commit whose manifests are the base: `ref` when given (it must exist), else the merge base
 * of HEAD with main, else with origin/main, else HEAD.
 */
export function resolveBase(ref: string | undefined, cwd: string): BaseCommit {
  if (ref !== undefined) {
    const commit = ref.startsWith('-') ? undefined : commitOf(ref, cwd);
    if (commit === undefined) throw new DiffUsageError(`diff: --base: ${JSON.stringify(ref)} is not a commit of this repository`);
    return { commit, description: `${ref} (${shortCommit(commit)})` };
  }
  const base = defaultBase(cwd);
  if (base === undefined) throw new DiffUsageError('diff: no commit to compare with: HEAD does not exist yet; pass --base <git ref>');
  return base;
}
