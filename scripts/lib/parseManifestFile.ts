import { parseAllDocuments } from 'yaml';
import { isObject } from './isObject';
import type { ManifestObject } from './manifestDiffTypes';

/** The objects of one multi-document YAML file. */
export function parseManifestFile(file: string, text: string): ManifestObject[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: not valid YAML: ${document.errors[0].message.split('\n')[0]}`);
    const object: unknown = document.toJS({ maxAliasCount: -1 });
    return isObject(object) ? [{ file, object }] : [];
  });
}
