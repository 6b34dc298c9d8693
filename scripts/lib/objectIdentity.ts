import { apiGroupOf } from '../../charts/lib/apiGroupOf';
import { metadataOf } from '../../charts/lib/metadataOf';
import type { RenderedObject } from './preflightRendering';

/** The version is left out: Kubernetes serves one object under every version of its CRD. */
export function objectIdentity(object: RenderedObject): string {
  const { name, namespace } = metadataOf(object);
  return JSON.stringify([apiGroupOf(object), String(object.kind ?? ''), namespace ?? '', name]);
}
