/**
 * Regenerates `imports/`: reads the pinned CRDs (default `../shared/crds`, or the folder given as
 * the only argument), strips every schema `description`, writes one multi-document YAML per API
 * group to `imports/crds/`, and runs `cdk8s import` on each of them (one TypeScript module per
 * group, because `cdk8s import` overwrites a group's module on every import of that group).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { IMPORT_USAGE, parseImportArgs } from './lib/importArgs';
import { resolveUserPath } from './lib/resolveUserPath';

const projectRoot = resolve(__dirname, '..');
const crdOutputDir = join(projectRoot, 'imports', 'crds');

function listYamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return listYamlFiles(path);
      return /\.ya?ml$/.test(entry) ? [path] : [];
    });
}

/** Removes schema `description` keywords; a property *named* description (an object) stays. */
export function stripDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripDescriptions);
  if (node === null || typeof node !== 'object') return node;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' && typeof value === 'string') continue;
    result[key] = stripDescriptions(value);
  }
  return result;
}

function main(): void {
  const options = parseImportArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return;
  }
  // A folder given is relative to where the user ran `npm run import` (INIT_CWD), as every other tool's paths;
  // the default is the repository's neighbour.
  const sourceDir = options.sourceDir === undefined ? resolve(projectRoot, '..', 'shared', 'crds') : resolveUserPath(options.sourceDir);
  if (!existsSync(sourceDir) || !statSync(sourceDir).isDirectory()) {
    throw new Error(`${sourceDir} is not a folder; ${IMPORT_USAGE}`);
  }
  const crdsByGroup = new Map<string, unknown[]>();
  for (const file of listYamlFiles(sourceDir)) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = doc.toJS() as { kind?: string; spec?: { group?: string } } | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec?.group) continue;
      const group = crd.spec.group;
      crdsByGroup.set(group, [...(crdsByGroup.get(group) ?? []), stripDescriptions(crd)]);
    }
  }
  // Checked before anything is removed: a wrong folder leaves imports/ as it was.
  if (crdsByGroup.size === 0) throw new Error(`no CustomResourceDefinition found under ${sourceDir}; imports/ is unchanged`);

  rmSync(join(projectRoot, 'imports'), { recursive: true, force: true });
  mkdirSync(crdOutputDir, { recursive: true });
  const groups = [...crdsByGroup.keys()].sort();
  for (const group of groups) {
    const crds = crdsByGroup.get(group) ?? [];
    const text = crds.map((crd) => stringify(crd, { lineWidth: 0 })).join('---\n');
    writeFileSync(join(crdOutputDir, `${group}.yaml`), text);
  }
  // cdk8s.yaml lists the imports so that a bare `cdk8s import` regenerates exactly these modules.
  const cdk8sConfigPath = join(projectRoot, 'cdk8s.yaml');
  const cdk8sConfig = parse(readFileSync(cdk8sConfigPath, 'utf8')) as Record<string, unknown>;
  cdk8sConfig.imports = groups.map((group) => `imports/crds/${group}.yaml`);
  writeFileSync(cdk8sConfigPath, stringify(cdk8sConfig, { lineWidth: 0 }));
  execFileSync('npx', ['cdk8s', 'import', '--language', 'typescript', '--output', 'imports', '--check-upgrade=false'], {
    cwd: projectRoot,
    stdio: 'inherit',
  });
  console.log(`import: ${groups.length} API groups from ${sourceDir} into imports/`);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(`import: ${(error as Error).message}`);
    process.exit(1);
  }
}
