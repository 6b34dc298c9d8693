/**
 * The two renderings `npm run diff` compares: the working tree, rendered in-process into a
 * temporary folder, and the manifests committed at a git ref, read with `git ls-tree`/`git show`
 * (so neither the working tree's manifests/ nor the checkout is touched). Each has the objects Argo CD
 * syncs and the controller IAM documents (controller-iam/*.json) the platform team applies by hand.
 */

/** The files Argo CD syncs: one multi-document YAML file per chart (controller-iam/ is not synced). */
export const MANIFEST_FILE = /\.k8s\.yaml$/;
