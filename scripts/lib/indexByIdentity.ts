import { objectIdentity } from './objectIdentity';
import type { RenderedFile, RenderedObject } from './preflightRendering';

interface Located {
  readonly file: string;
  readonly object: RenderedObject;
}

export function indexByIdentity(files: readonly RenderedFile[]): Map<string, Located> {
  return new Map(files.flatMap(({ file, objects }) => objects.map((object): [string, Located] => [objectIdentity(object), { file, object }])));
}
