import { parse } from 'yaml';
import { committedRendering } from './committedRendering';
import { gitOutput } from './gitOutput';
import { isDocumentationAccountId } from './isDocumentationAccountId';
import type { RenderedFile } from './preflightRendering';

/** `accountId` of `config/<environment>.yaml` as committed at `ref`, if the file and field exist there. */
function committedAccountId(repoDir: string, ref: string, environment: string): string | undefined {
  let text: string;
  try {
    text = gitOutput(repoDir, ['show', `${ref}:config/${environment}.yaml`]);
  } catch {
    return undefined;
  }
  try {
    const accountId = (parse(text) as { accountId?: unknown } | null)?.accountId;
    return typeof accountId === 'string' ? accountId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What Argo CD deploys now: the manifests committed at `ref`, unless the environment's config still held a
 * documentation account id there (preflight refuses those, so nothing was deployed from that commit and every
 * object is a creation, whatever its create-only fields were).
 */
export function deployedRendering(repoDir: string, ref: string, environment: string): RenderedFile[] | undefined {
  const accountId = committedAccountId(repoDir, ref, environment);
  if (accountId !== undefined && isDocumentationAccountId(accountId)) return undefined;
  return committedRendering(repoDir, ref, environment);
}
