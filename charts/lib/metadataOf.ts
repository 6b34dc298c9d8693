import type { RenderedObject } from './controllerPolicies';

export function metadataOf(object: RenderedObject): { name: string; annotations: Record<string, string> } {
  const meta = (object.metadata ?? {}) as { name?: string; annotations?: Record<string, string> };
  return { name: String(meta.name ?? ''), annotations: meta.annotations ?? {} };
}
