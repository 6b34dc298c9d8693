/**
 * The two renderings `npm run diff` compares: the working tree, rendered in-process into a
 * temporary folder, and the manifests committed at a git ref, read with `git ls-tree`/`git show`
 * (so neither the working tree's manifests/ nor the checkout is touched). Each has the objects Argo CD
 * syncs and the controller IAM documents (controller-iam/*.json) the platform team applies by hand.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildApp } from '../../main';
import { loadEnvironmentConfig } from '../../charts/lib/config';
import { controllerPolicyFiles, renderedObjects } from '../../charts/lib/controllerPolicies';
import { DiffUsageError } from './manifestDiffArgs';
import type { ManifestObject, Rendering } from './manifestDiffTypes';
import { isObject } from './manifestDiffValues';
import { committedIamDocuments } from './preflightRendering';

/** The files Argo CD syncs: one multi-document YAML file per chart (controller-iam/ is not synced). */
const MANIFEST_FILE = /\.k8s\.yaml$/;

/** The objects of one multi-document YAML file. */
export function parseManifestFile(file: string, text: string): ManifestObject[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: not valid YAML: ${document.errors[0].message.split('\n')[0]}`);
    const object: unknown = document.toJS({ maxAliasCount: -1 });
    return isObject(object) ? [{ file, object }] : [];
  });
}

/**
 * Renders `config/<environment>.yaml` of the working tree as `npm run synth` would, without writing
 * manifests/: the objects and the controller IAM documents synth writes beside them.
 */
export function renderEnvironmentWithDocuments(environment: string, configDir?: string): Rendering {
  const outdir = mkdtempSync(join(tmpdir(), 'manifest-diff-'));
  try {
    const app = buildApp(environment, outdir, configDir);
    app.synth();
    const objects = readdirSync(outdir)
      .filter((file) => MANIFEST_FILE.test(file))
      .sort()
      .flatMap((file) => parseManifestFile(file, readFileSync(join(outdir, file), 'utf8')));
    return { objects, documents: controllerPolicyFiles(loadEnvironmentConfig(environment, configDir), renderedObjects(app)) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The objects of the working tree's rendering of an environment. */
export function renderEnvironment(environment: string, configDir?: string): ManifestObject[] {
  return [...renderEnvironmentWithDocuments(environment, configDir).objects];
}

function git(args: readonly string[], cwd: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

function commitOf(ref: string, cwd: string): string | undefined {
  try {
    return git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd).trim();
  } catch {
    return undefined;
  }
}

function mergeBase(ref: string, cwd: string): string | undefined {
  try {
    return git(['merge-base', 'HEAD', ref], cwd).trim();
  } catch {
    return undefined;
  }
}

/** A commit as the report names it. */
const short = (commit: string): string => commit.slice(0, 12);

/** A resolved base: the commit, and how to name it in the report. */
export interface BaseCommit {
  readonly commit: string;
  readonly description: string;
}

/**
 * The commit whose manifests are the base: `ref` when given (it must exist), else the merge base
 * of HEAD with main, else with origin/main, else HEAD.
 */
export function resolveBase(ref: string | undefined, cwd: string): BaseCommit {
  if (ref !== undefined) {
    const commit = ref.startsWith('-') ? undefined : commitOf(ref, cwd);
    if (commit === undefined) throw new DiffUsageError(`diff: --base: ${JSON.stringify(ref)} is not a commit of this repository`);
    return { commit, description: `${ref} (${short(commit)})` };
  }
  const base = defaultBase(cwd);
  if (base === undefined) throw new DiffUsageError('diff: no commit to compare with: HEAD does not exist yet; pass --base <git ref>');
  return base;
}

/**
 * What a branch is compared with when no base is given: the merge base of HEAD with main, else with
 * origin/main (what Argo CD deploys, as far as the branch knows), else HEAD; undefined before the first commit.
 */
export function defaultBase(cwd: string): BaseCommit | undefined {
  for (const branch of ['main', 'origin/main']) {
    const commit = mergeBase(branch, cwd);
    if (commit !== undefined) return { commit, description: `the merge base of HEAD and ${branch} (${short(commit)})` };
  }
  const head = commitOf('HEAD', cwd);
  return head === undefined ? undefined : { commit: head, description: `HEAD (${short(head)})` };
}

/** The manifests and IAM documents of `manifests/<environment>/` committed at `commit`; none when the folder did not exist there. */
export function committedEnvironment(commit: string, environment: string, cwd: string): Rendering {
  const folder = `manifests/${environment}/`;
  const paths = git(['ls-tree', '--name-only', commit, '--', folder], cwd)
    .split('\n')
    .filter((path) => MANIFEST_FILE.test(path))
    .sort();
  const objects = paths.flatMap((path) => parseManifestFile(path.slice(folder.length), git(['show', `${commit}:./${path}`], cwd)));
  return { objects, documents: committedIamDocuments(cwd, commit, environment) };
}

/**
 * The environments whose manifests are committed at `commit` (`manifests/<env>/`): an environment whose
 * config the working tree deleted is still deployed from there, and its removal is a change to report.
 */
export function committedEnvironments(commit: string, cwd: string): string[] {
  return git(['ls-tree', '-d', '--name-only', commit, '--', 'manifests/'], cwd)
    .split('\n')
    .map((path) => path.slice('manifests/'.length))
    .filter((name) => name !== '' && !name.startsWith('.'))
    .sort();
}
