import type { RenderedObject } from './controllerPolicies';

/** An object's name, namespace (absent on cluster-scoped objects) and annotations, whatever its shape. */
export function metadataOf(object: RenderedObject): { name: string; namespace?: string; annotations: Record<string, string> } {
  const meta = (object.metadata ?? {}) as { name?: string; namespace?: string; annotations?: Record<string, string> };
  return { name: String(meta.name ?? ''), namespace: meta.namespace, annotations: meta.annotations ?? {} };
}
