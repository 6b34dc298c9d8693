/**
 * Compares the rendering of an environment now with the one Argo CD deploys (the manifests
 * committed at a git ref): create-only fields that changed, and objects holding data that would be
 * pruned. Objects are paired by API group, kind, namespace and name, as `npm run diff` pairs them: a
 * version bump of a CRD (`v1alpha1` → `v1`) is the same object, not a deletion and a creation.
 */

export type RenderedObject = Record<string, unknown>;

/** The objects of one manifest file (`processing.k8s.yaml`). */
export interface RenderedFile {
  readonly file: string;
  readonly objects: readonly RenderedObject[];
}
