import { parseAllDocuments } from 'yaml';
import { gitOutput } from './gitOutput';
import type { RenderedFile, RenderedObject } from './preflightRendering';

function parseManifest(file: string, text: string): RenderedFile {
  const objects = parseAllDocuments(text)
    .map((document) => document.toJS() as unknown)
    .filter((object): object is RenderedObject => object !== null && typeof object === 'object');
  return { file, objects };
}

/**
 * The manifests of an environment committed at `ref` (`git show <ref>:manifests/<env>/<file>`), or
 * undefined when that commit has none yet (a new environment: everything will be created).
 */
export function committedRendering(repoDir: string, ref: string, environment: string): RenderedFile[] | undefined {
  const folder = `manifests/${environment}/`;
  const listing = gitOutput(repoDir, ['ls-tree', '--name-only', ref, folder]).split('\n').filter((path) => path.endsWith('.k8s.yaml'));
  if (listing.length === 0) return undefined;
  return listing.map((path) => parseManifest(path.slice(folder.length), gitOutput(repoDir, ['show', `${ref}:${path}`])));
}
