import { CONTROLLER_POLICY_DIR } from '../../charts/lib/controllerPolicies';
import { gitOutput } from './gitOutput';

/**
 * The IAM documents applied by hand (`manifests/<env>/controller-iam/*.json`: controller policies and the
 * role boundary) committed at `ref`, file name relative to `manifests/<env>/` → content.
 */
export function committedIamDocuments(repoDir: string, ref: string, environment: string): Record<string, string> {
  const folder = `manifests/${environment}/`;
  const listing = gitOutput(repoDir, ['ls-tree', '--name-only', ref, `${folder}${CONTROLLER_POLICY_DIR}/`]).split('\n').filter((path) => path.endsWith('.json'));
  return Object.fromEntries(listing.map((path) => [path.slice(folder.length), gitOutput(repoDir, ['show', `${ref}:${path}`])]));
}
