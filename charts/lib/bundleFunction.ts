import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { buildSync, Message } from 'esbuild';
import { BUNDLE_BUDGETS, BUNDLE_ENTRY_FILE, FUNCTIONS_DIR, HANDLER_EXPORT, type BundleInputs, type BundleOptions, type FunctionBundle } from './bundle';
import { createZip } from './createZip';
import { esbuildOptions } from './esbuildOptions';

const NODE_MODULES = 'node_modules/';

/** The package a node_modules path belongs to (`@scope/name` or `name`), with its version. */
function packageOf(path: string, workingDir: string): string {
  const parts = path.slice(path.lastIndexOf(NODE_MODULES) + NODE_MODULES.length).split('/');
  const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  const root = path.slice(0, path.lastIndexOf(NODE_MODULES) + NODE_MODULES.length) + name;
  const { version } = JSON.parse(readFileSync(join(workingDir, root, 'package.json'), 'utf8')) as { version: string };
  return `${name}@${version}`;
}

/**
 * A package file's path from its first node_modules on: esbuild resolves symlinks, so a linked or
 * relocated node_modules (`../../elsewhere/node_modules/...`) would otherwise change the hash.
 */
function locationFree(path: string): string {
  const at = path.indexOf(NODE_MODULES);
  return at < 0 ? path : path.slice(at);
}

/** Reads the inputs esbuild lists in its metafile (paths relative to the working directory). */
function bundleInputs(inputPaths: readonly string[], workingDir: string): BundleInputs {
  const hashes = [...inputPaths]
    .map((input) => ({ input, path: locationFree(input) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map(({ input, path }) => ({ path, sha256: createHash('sha256').update(readFileSync(join(workingDir, input))).digest('hex') }));
  return {
    sources: hashes.filter(({ path }) => !path.includes(NODE_MODULES)),
    packages: [...new Set(hashes.filter(({ path }) => path.includes(NODE_MODULES)).map(({ path }) => packageOf(path, workingDir)))].sort(),
    sha256: createHash('sha256')
      .update(hashes.map(({ path, sha256 }) => `${sha256} ${path}\n`).join(''))
      .digest('hex'),
  };
}

function formatMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : '';
  return `${where}${message.text}`;
}

/** The names `entry` exports, read without bundling (an ESM metafile lists them; a CJS one does not). */
function entryExports(entry: string, workingDir: string): readonly string[] {
  const result = buildSync({ entryPoints: [entry], absWorkingDir: workingDir, outdir: join(workingDir, '.bundle-exports'), write: false, bundle: false, format: 'esm', metafile: true, logLevel: 'silent' });
  return Object.values(result.metafile?.outputs ?? {}).flatMap((output) => output.exports);
}

/**
 * Bundles `<functionsDir>/<name>/index.ts` into a reproducible zip; throws a message naming the
 * function when the entry is missing, does not export `handler`, fails to build, leaks an absolute
 * path of this checkout into the output, or exceeds its size budget.
 */
export function bundleFunction(name: string, options: BundleOptions = {}): FunctionBundle {
  const functionsDir = options.functionsDir ?? FUNCTIONS_DIR;
  const workingDir = dirname(functionsDir);
  const label = `${basename(functionsDir)}/${name}`;
  const entry = join(functionsDir, name, 'index.ts');
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`bundle: function name must match [a-z][a-z0-9-]*, got "${name}"`);
  if (!existsSync(entry)) throw new Error(`bundle: ${label}/index.ts not found: every function needs a handler entry`);
  const maxZipBytes = options.maxZipBytes ?? (BUNDLE_BUDGETS as Record<string, number>)[name];
  if (maxZipBytes === undefined) throw new Error(`bundle: ${label} has no size budget; add it to BUNDLE_BUDGETS in charts/lib/bundle.ts`);

  let code: string;
  let inputs: BundleInputs;
  try {
    if (!entryExports(entry, workingDir).includes(HANDLER_EXPORT)) {
      throw new Error(`bundle: ${label}/index.ts must export "${HANDLER_EXPORT}" (the Function handler is index.${HANDLER_EXPORT})`);
    }
    const result = buildSync({ ...esbuildOptions(entry, workingDir), metafile: true });
    code = result.outputFiles[0].text;
    inputs = bundleInputs(Object.keys(result.metafile?.inputs ?? {}), workingDir);
  } catch (error) {
    const failure = error as Error & { errors?: Message[] };
    if (!failure.errors) throw error;
    throw new Error(`bundle: ${label} failed to build: ${failure.errors.map(formatMessage).join('; ')}`);
  }
  for (const path of [workingDir, functionsDir]) {
    if (code.includes(path)) {
      throw new Error(`bundle: ${label} output contains the absolute path "${path}": the package would differ between checkouts`);
    }
  }

  const zip = createZip([{ name: BUNDLE_ENTRY_FILE, data: Buffer.from(code, 'utf8') }]);
  if (zip.length > maxZipBytes) {
    throw new Error(`bundle: ${label} zip is ${zip.length} bytes, over its budget of ${maxZipBytes} bytes`);
  }
  return {
    name,
    code,
    zip,
    zipFileBase64: zip.toString('base64'),
    sha256Base64: createHash('sha256').update(zip).digest('base64'),
    maxZipBytes,
    inputs,
  };
}
