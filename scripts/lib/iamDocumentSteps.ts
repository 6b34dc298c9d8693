import { ROLE_BOUNDARY_FILE } from '../../charts/lib/roleBoundary';

/**
 * IAM documents that differ from the ones committed at the base: nothing Argo CD applies, so each is a
 * step for the platform team before the sync, or the controller (or, for the boundary, a role) is denied
 * the calls the change needs.
 */
export function iamDocumentSteps(previous: Readonly<Record<string, string>>, current: Readonly<Record<string, string>>): string[] {
  const files = [...new Set([...Object.keys(previous), ...Object.keys(current)])].sort();
  return files.flatMap((file) => {
    if (previous[file] === current[file]) return [];
    const change = previous[file] === undefined ? 'new' : current[file] === undefined ? 'no longer rendered' : 'changed';
    const todo =
      current[file] === undefined
        ? 'remove it from the account after the sync'
        : file.endsWith(`/${ROLE_BOUNDARY_FILE}`)
          ? `publish it as the default version of the managed policy ${ROLE_BOUNDARY_FILE.replace(/\.json$/, '')}-<suffix> before the sync`
          : "put it as the controller role's policy before the sync";
    return [`${file}: ${change}; ${todo}`];
  });
}
