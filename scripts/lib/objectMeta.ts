import type { RenderedObject } from './preflightRendering';

export function objectMeta(object: RenderedObject): { name: string; namespace?: string; annotations: Record<string, string> } {
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string; annotations?: Record<string, string> };
  return { name: String(metadata.name ?? ''), namespace: metadata.namespace, annotations: metadata.annotations ?? {} };
}
