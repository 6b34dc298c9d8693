import { committedIamDocuments } from './committedIamDocuments';
import { gitIn } from './gitIn';
import { MANIFEST_FILE } from './manifestDiffSources';
import type { Rendering } from './manifestDiffTypes';
import { parseManifestFile } from './parseManifestFile';

/** The manifests and IAM documents of `manifests/<environment>/` committed at `commit`; none when the folder did not exist there. */
export function committedEnvironment(commit: string, environment: string, cwd: string): Rendering {
  const folder = `manifests/${environment}/`;
  const paths = gitIn(['ls-tree', '--name-only', commit, '--', folder], cwd)
    .split('\n')
    .filter((path) => MANIFEST_FILE.test(path))
    .sort();
  const objects = paths.flatMap((path) => parseManifestFile(path.slice(folder.length), gitIn(['show', `${commit}:./${path}`], cwd)));
  return { objects, documents: committedIamDocuments(cwd, commit, environment) };
}
