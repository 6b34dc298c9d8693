import { metadataOf } from '../../charts/lib/metadataOf';
import type { RenderedObject } from './preflightRendering';

/** `processing.k8s.yaml EventSourceMapping telemetry-prod/esm-processor-prod`, as problem lines name an object. */
export function describeObject(file: string, object: RenderedObject): string {
  const { name, namespace } = metadataOf(object);
  return `${file} ${String(object.kind)} ${namespace === undefined ? '' : `${namespace}/`}${name}`;
}
