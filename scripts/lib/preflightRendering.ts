/**
 * Compares the rendering of an environment now with the one Argo CD deploys (the manifests
 * committed at a git ref): create-only fields that changed, and objects holding data that would be
 * pruned. Objects are paired by API group, kind, namespace and name, as `npm run diff` pairs them: a
 * version bump of a CRD (`v1alpha1` → `v1`) is the same object, not a deletion and a creation.
 */
import { execFileSync } from 'node:child_process';
import type { App } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { CONTROLLER_POLICY_DIR } from '../../charts/lib/controllerPolicies';
import { createOnlyChanges } from '../../charts/lib/createOnlyFields';
import { ROLE_BOUNDARY_FILE } from '../../charts/lib/roleBoundary';
import { isDocumentationAccountId } from './preflightConfig';
import { PreflightProblem, quoteValue } from './preflightProblem';

type RenderedObject = Record<string, unknown>;

/** The objects of one manifest file (`processing.k8s.yaml`). */
export interface RenderedFile {
  readonly file: string;
  readonly objects: readonly RenderedObject[];
}

interface Located {
  readonly file: string;
  readonly object: RenderedObject;
}

/** Kinds whose deletion deletes data, and what removing one takes. */
export const DATA_KINDS: readonly { readonly group: string; readonly kind: string; readonly loses: string; readonly todo: string }[] = [
  {
    group: 'dynamodb.services.k8s.aws',
    kind: 'Table',
    loses: 'the controller deletes the table with every item',
    todo: 'export the items first (DynamoDB export to S3) or keep the object until nobody needs them',
  },
  {
    group: 's3.services.k8s.aws',
    kind: 'Bucket',
    loses: 'the controller deletes the bucket once it is empty',
    todo: 'copy the objects elsewhere and empty the bucket yourself (AWS deletes only empty buckets), or keep the object',
  },
  {
    group: 'sqs.services.k8s.aws',
    kind: 'Queue',
    loses: 'the controller deletes the queue with the messages in it',
    todo: 'drain it first (npm run redrive) or keep the object',
  },
  {
    group: 'kinesis.aws.m.upbound.io',
    kind: 'Stream',
    loses: 'the provider deletes the stream with up to 7 days of records',
    todo: 'let every consumer catch up (iterator age 0) and Firehose deliver, or keep the object',
  },
  {
    group: 'kms.services.k8s.aws',
    kind: 'Key',
    loses: 'the controller schedules the key for deletion, and whatever it encrypts becomes unreadable after the 7-30 day window',
    todo: 're-encrypt every store under another key first, or keep the object',
  },
];

function apiGroup(object: RenderedObject): string {
  const apiVersion = String(object.apiVersion ?? '');
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

function meta(object: RenderedObject): { name: string; namespace?: string; annotations: Record<string, string> } {
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string; annotations?: Record<string, string> };
  return { name: String(metadata.name ?? ''), namespace: metadata.namespace, annotations: metadata.annotations ?? {} };
}

/** The version is left out: Kubernetes serves one object under every version of its CRD. */
function identity(object: RenderedObject): string {
  const { name, namespace } = meta(object);
  return JSON.stringify([apiGroup(object), String(object.kind ?? ''), namespace ?? '', name]);
}

/** `processing.k8s.yaml EventSourceMapping telemetry-prod/esm-processor-prod`, as problem lines name an object. */
export function describeObject(file: string, object: RenderedObject): string {
  const { name, namespace } = meta(object);
  return `${file} ${String(object.kind)} ${namespace === undefined ? '' : `${namespace}/`}${name}`;
}

function index(files: readonly RenderedFile[]): Map<string, Located> {
  return new Map(files.flatMap(({ file, objects }) => objects.map((object): [string, Located] => [identity(object), { file, object }])));
}

/** Create-only fields whose value differs between the previous and the current rendering of the same object. */
export function createOnlyProblems(previous: readonly RenderedFile[], current: readonly RenderedFile[]): PreflightProblem[] {
  const before = index(previous);
  return [...index(current).entries()].flatMap(([key, now]) => {
    const old = before.get(key);
    if (!old) return [];
    return createOnlyChanges(old.object, now.object).map((change) => ({
      subject: describeObject(now.file, now.object),
      field: change.path,
      wrong: `create-only field changed ${quoteValue(change.before)} → ${quoteValue(change.after)}; AWS cannot change it in place`,
      todo: change.replacement,
    }));
  });
}

/** True when deleting the object leaves the AWS resource in place (ACK retain, or Crossplane without Delete). */
function retainsResource(object: RenderedObject): boolean {
  if (meta(object).annotations['services.k8s.aws/deletion-policy'] === 'retain') return true;
  const policies = (object.spec as { managementPolicies?: unknown } | undefined)?.managementPolicies;
  return Array.isArray(policies) && !policies.includes('Delete') && !policies.includes('*');
}

/** Objects holding data that the previous rendering had and the current one drops: Argo CD would prune them. */
export function dataDeletionProblems(previous: readonly RenderedFile[], current: readonly RenderedFile[]): PreflightProblem[] {
  const now = index(current);
  return [...index(previous).entries()].flatMap(([key, old]) => {
    const dataKind = DATA_KINDS.find((entry) => entry.group === apiGroup(old.object) && entry.kind === old.object.kind);
    if (!dataKind || now.has(key) || retainsResource(old.object)) return [];
    return [
      {
        subject: describeObject(old.file, old.object),
        field: '(object)',
        wrong: `removed, so Argo CD prunes it and ${dataKind.loses}`,
        todo: dataKind.todo,
      },
    ];
  });
}

/** The rendering of an app in memory, one entry per chart file (cdk8s names them `<chart id>.k8s.yaml`). */
export function currentRendering(app: App): RenderedFile[] {
  return app.charts.map((chart) => ({ file: `${chart.node.id}.k8s.yaml`, objects: chart.toJson() as RenderedObject[] }));
}

export function parseManifest(file: string, text: string): RenderedFile {
  const objects = parseAllDocuments(text)
    .map((document) => document.toJS() as unknown)
    .filter((object): object is RenderedObject => object !== null && typeof object === 'object');
  return { file, objects };
}

/** The inline function zips make manifest files large. */
const GIT_MAX_BUFFER = 256 * 1024 * 1024;

function git(repoDir: string, args: readonly string[]): string {
  return execFileSync('git', ['-C', repoDir, ...args], { encoding: 'utf8', maxBuffer: GIT_MAX_BUFFER, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The commit a ref names, or undefined when the repository has no such commit. */
export function resolveCommit(repoDir: string, ref: string): string | undefined {
  try {
    return git(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `accountId` of `config/<environment>.yaml` as committed at `ref`, if the file and field exist there. */
function committedAccountId(repoDir: string, ref: string, environment: string): string | undefined {
  let text: string;
  try {
    text = git(repoDir, ['show', `${ref}:config/${environment}.yaml`]);
  } catch {
    return undefined;
  }
  try {
    const accountId = (parse(text) as { accountId?: unknown } | null)?.accountId;
    return typeof accountId === 'string' ? accountId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The manifests of an environment committed at `ref` (`git show <ref>:manifests/<env>/<file>`), or
 * undefined when that commit has none yet (a new environment: everything will be created).
 */
export function committedRendering(repoDir: string, ref: string, environment: string): RenderedFile[] | undefined {
  const folder = `manifests/${environment}/`;
  const listing = git(repoDir, ['ls-tree', '--name-only', ref, folder]).split('\n').filter((path) => path.endsWith('.k8s.yaml'));
  if (listing.length === 0) return undefined;
  return listing.map((path) => parseManifest(path.slice(folder.length), git(repoDir, ['show', `${ref}:${path}`])));
}

/**
 * The IAM documents applied by hand (`manifests/<env>/controller-iam/*.json`: controller policies and the
 * role boundary) committed at `ref`, file name relative to `manifests/<env>/` → content.
 */
export function committedIamDocuments(repoDir: string, ref: string, environment: string): Record<string, string> {
  const folder = `manifests/${environment}/`;
  const listing = git(repoDir, ['ls-tree', '--name-only', ref, `${folder}${CONTROLLER_POLICY_DIR}/`]).split('\n').filter((path) => path.endsWith('.json'));
  return Object.fromEntries(listing.map((path) => [path.slice(folder.length), git(repoDir, ['show', `${ref}:${path}`])]));
}

/**
 * IAM documents that differ from the ones committed at the base: nothing Argo CD applies, so each is a
 * step for the platform team before the sync, or the controller (or, for the boundary, a role) is denied
 * the calls the change needs.
 */
export function iamDocumentSteps(previous: Readonly<Record<string, string>>, current: Readonly<Record<string, string>>): string[] {
  const files = [...new Set([...Object.keys(previous), ...Object.keys(current)])].sort();
  return files.flatMap((file) => {
    if (previous[file] === current[file]) return [];
    const change = previous[file] === undefined ? 'new' : current[file] === undefined ? 'no longer rendered' : 'changed';
    const todo =
      current[file] === undefined
        ? 'remove it from the account after the sync'
        : file.endsWith(`/${ROLE_BOUNDARY_FILE}`)
          ? `publish it as the default version of the managed policy ${ROLE_BOUNDARY_FILE.replace(/\.json$/, '')}-<suffix> before the sync`
          : "put it as the controller role's policy before the sync";
    return [`${file}: ${change}; ${todo}`];
  });
}

/**
 * What Argo CD deploys now: the manifests committed at `ref`, unless the environment's config still held a
 * documentation account id there (preflight refuses those, so nothing was deployed from that commit and every
 * object is a creation, whatever its create-only fields were).
 */
export function deployedRendering(repoDir: string, ref: string, environment: string): RenderedFile[] | undefined {
  const accountId = committedAccountId(repoDir, ref, environment);
  if (accountId !== undefined && isDocumentationAccountId(accountId)) return undefined;
  return committedRendering(repoDir, ref, environment);
}
