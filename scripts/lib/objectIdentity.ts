import { apiGroup } from './apiGroup';
import { objectMeta } from './objectMeta';
import type { RenderedObject } from './preflightRendering';

/** The version is left out: Kubernetes serves one object under every version of its CRD. */
export function objectIdentity(object: RenderedObject): string {
  const { name, namespace } = objectMeta(object);
  return JSON.stringify([apiGroup(object), String(object.kind ?? ''), namespace ?? '', name]);
}
