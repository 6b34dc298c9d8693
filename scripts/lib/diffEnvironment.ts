/**
 * The core of `npm run diff`: two renderings of an environment (lists of parsed objects) in, the
 * objects added, removed and changed out, each change named by what a reviewer needs to judge it.
 * Pure: rendering and git live in renderEnvironmentWithDocuments.ts and committedEnvironment.ts, layout in
 * manifestDiffReport.ts.
 */
import { createOnlyChanges } from '../../charts/lib/createOnlyChanges';
import { diffCode } from './diffCode';
import { diffDashboard } from './diffDashboard';
import { diffPolicy } from './diffPolicy';
import { formatPath } from './formatPath';
import { isDashboardBody } from './isDashboardBody';
import { isLambdaFunction } from './isLambdaFunction';
import { isObject } from './isObject';
import { isPolicyDocument } from './isPolicyDocument';
import { diffFields, DocumentDiffer } from './manifestDiffFields';
import { dataLossOf } from './dataDeletionProblems';
import type { Change, ChangedDocument, ChangedObject, DocumentsDiff, EnvironmentDiff, ManifestObject, ObjectRef, RemovedObject, ReplacementChange } from './manifestDiffTypes';
import { Json, JsonObject } from './manifestDiffValues';
import { parseJsonDocument } from './parseJsonDocument';
import { pointerSteps } from './pointerSteps';
import { withoutCode } from './withoutCode';
import { apiGroupOf } from '../../charts/lib/apiGroupOf';

interface Identity {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** The API group, kind, namespace and name: a version bump (`v1alpha1` → `v1beta1`) keeps the identity. */
function identityOf(object: JsonObject): Identity {
  const metadata = isObject(object.metadata) ? object.metadata : {};
  return {
    group: apiGroupOf(object),
    kind: String(object.kind ?? ''),
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : '',
    name: String(metadata.name ?? ''),
  };
}

const keyOf = (object: JsonObject): string => {
  const { group, kind, namespace, name } = identityOf(object);
  return JSON.stringify([group, kind, namespace, name]);
};

/** Policies and dashboards in strings get their own comparison; other JSON strings are compared field by field. */
const documentDiffer: DocumentDiffer = (steps, before, after) => {
  if (isPolicyDocument(before) && isPolicyDocument(after)) {
    const policy = diffPolicy(steps, before, after);
    // Statement fields are sets: reordering an Action list is no change.
    return policy.added.length + policy.removed.length + policy.changed.length + policy.document.length > 0 ? [policy] : [];
  }
  if (isDashboardBody(before) && isDashboardBody(after)) {
    const dashboard = diffDashboard(steps, before, after);
    return dashboard.added.length + dashboard.removed.length + dashboard.changed.length + dashboard.body.length > 0 ? [dashboard] : [];
  }
  return undefined;
};

/** Everything that differs between two renderings of one object, create-only fields first. */
function diffObject(before: ManifestObject, after: ManifestObject): Change[] {
  const replacements: ReplacementChange[] = createOnlyChanges(before.object, after.object).map((change) => ({
    type: 'replacement',
    path: formatPath(pointerSteps(change.path)),
    before: change.before as ReplacementChange['before'],
    after: change.after as ReplacementChange['after'],
    replacement: change.replacement,
  }));
  const lambda = isLambdaFunction(before.object) && isLambdaFunction(after.object);
  const code = lambda ? diffCode(before.object, after.object) : undefined;
  const [old, now] = lambda ? [withoutCode(before.object), withoutCode(after.object)] : [before.object, after.object];
  const underReplacement = (path: string): boolean =>
    replacements.some((replacement) => path === replacement.path || path.startsWith(`${replacement.path}.`) || path.startsWith(`${replacement.path}[`));
  const fields = diffFields(old, now, [], documentDiffer).filter((change) => !('path' in change) || !underReplacement(change.path));
  return [
    ...replacements,
    ...(before.file === after.file ? [] : [{ type: 'file' as const, before: before.file, after: after.file }]),
    ...(code ? [code] : []),
    ...fields,
  ];
}

/**
 * Object labels: `Kind name`, with the API group where two groups share the kind (IAM and IoT
 * `Policy`) and the namespace where two namespaces share the name.
 */
function labeller(objects: readonly JsonObject[]): (object: JsonObject) => string {
  const groupsOfKind = new Map<string, Set<string>>();
  const namespacesOfName = new Map<string, Set<string>>();
  for (const object of objects) {
    const { group, kind, namespace, name } = identityOf(object);
    groupsOfKind.set(kind, (groupsOfKind.get(kind) ?? new Set()).add(group));
    const named = JSON.stringify([group, kind, name]);
    namespacesOfName.set(named, (namespacesOfName.get(named) ?? new Set()).add(namespace));
  }
  return (object) => {
    const { group, kind, namespace, name } = identityOf(object);
    const kindLabel = (groupsOfKind.get(kind)?.size ?? 0) > 1 && group !== '' ? `${kind}.${group}` : kind;
    const nameLabel = (namespacesOfName.get(JSON.stringify([group, kind, name]))?.size ?? 0) > 1 && namespace !== '' ? `${namespace}/${name}` : name;
    return `${kindLabel} ${nameLabel}`;
  };
}

/** The changes of one hand-applied document: statement by statement for a policy, else field by field, else as text. */
function diffDocument(before: string, after: string): Change[] {
  const old = parseJsonDocument(before);
  const now = parseJsonDocument(after);
  if (old === undefined || now === undefined) return before === after ? [] : [{ type: 'field', path: '(document)', before, after }];
  return diffFields(old as Json, now as Json, [], documentDiffer);
}

/** The controller IAM documents added, removed and changed (re-formatting the JSON is no change). */
function diffDocuments(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): DocumentsDiff {
  const files = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changed: ChangedDocument[] = [];
  for (const file of files) {
    const [old, now] = [before[file], after[file]];
    if (old === undefined || now === undefined) continue;
    const changes = diffDocument(old, now);
    if (changes.length > 0) changed.push({ file, changes });
  }
  return { changed, added: files.filter((file) => before[file] === undefined), removed: files.filter((file) => after[file] === undefined) };
}

/**
 * Compares the committed rendering of an environment (`before`) with the working tree's (`after`), and
 * their controller IAM documents when given.
 */
export function diffEnvironment(
  environment: string,
  before: readonly ManifestObject[],
  after: readonly ManifestObject[],
  documents: { readonly before: Readonly<Record<string, string>>; readonly after: Readonly<Record<string, string>> } = { before: {}, after: {} },
): EnvironmentDiff {
  const label = labeller([...before, ...after].map(({ object }) => object));
  const ref = ({ file, object }: ManifestObject): ObjectRef => ({ label: label(object), file });
  const old = new Map(before.map((entry) => [keyOf(entry.object), entry]));
  const nowKeys = new Set(after.map((entry) => keyOf(entry.object)));
  const changed: ChangedObject[] = [];
  const added: ObjectRef[] = [];
  for (const entry of after) {
    const partner = old.get(keyOf(entry.object));
    if (partner === undefined) {
      added.push(ref(entry));
      continue;
    }
    const changes = diffObject(partner, entry);
    if (changes.length > 0) changed.push({ ...ref(entry), changes });
  }
  // A removed table, bucket, queue, stream, key or log group is pruned with its data: the report says so.
  const removed = before
    .filter((entry) => !nowKeys.has(keyOf(entry.object)))
    .map((entry): RemovedObject => ({ ...ref(entry), ...dataLossOf(entry.object) }));
  return { environment, changed, added, removed, documents: diffDocuments(documents.before, documents.after) };
}
