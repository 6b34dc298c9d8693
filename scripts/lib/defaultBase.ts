import { commitOf } from './commitOf';
import { gitIn } from './gitIn';
import { shortCommit } from './shortCommit';

function mergeBase(ref: string, cwd: string): string | undefined {
  try {
    return gitIn(['merge-base', 'HEAD', ref], cwd).trim();
  } catch {
    return undefined;
  }
}

/** A resolved base: the commit, and how to name it in the report. */
export interface BaseCommit {
  readonly commit: string;
  readonly description: string;
}

/**
 * What a branch is compared with when no base is given: the merge base of HEAD with main, else with
 * origin/main (what Argo CD deploys, as far as the branch knows), else HEAD; undefined before the first commit.
 */
export function defaultBase(cwd: string): BaseCommit | undefined {
  for (const branch of ['main', 'origin/main']) {
    const commit = mergeBase(branch, cwd);
    if (commit !== undefined) return { commit, description: `the merge base of HEAD and ${branch} (${shortCommit(commit)})` };
  }
  const head = commitOf('HEAD', cwd);
  return head === undefined ? undefined : { commit: head, description: `HEAD (${shortCommit(head)})` };
}
