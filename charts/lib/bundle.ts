import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { buildSync, BuildOptions, Message } from 'esbuild';
import { createZip } from './zip';

/**
 * Code delivery of the Lambda functions: each `functions/<name>/index.ts` is bundled by esbuild into
 * one `index.js`, zipped reproducibly (charts/lib/zip.ts) and carried inline in the ACK Function
 * manifest (`spec.code.zipFile`, base64) with `spec.code.sha256`, the field the ACK controller
 * compares to decide whether to update the code.
 */

/** The folder with one sub-folder per function, beside charts/. */
export const FUNCTIONS_DIR = join(__dirname, '..', '..', 'functions');

/** The one file of every deployment package; the Function handler is `index.handler`. */
export const BUNDLE_ENTRY_FILE = 'index.js';
export const HANDLER_EXPORT = 'handler';

/**
 * Zip size budgets, bytes: about 2x the measured packages (processor 37.3 KB, storer 21.1 KB, query 18.7 KB with
 * esbuild 0.28; Powertools logger + metrics are ~35 KB of each unzipped bundle), rounded to whole
 * KiB. A dependency that drags in a large tree, or an SDK client bundled by mistake, fails synth
 * instead of silently inflating every manifest (the code travels inline in a Kubernetes object).
 * Quoted in the README.
 */
export const BUNDLE_BUDGETS = {
  processor: 64 * 1024,
  storer: 48 * 1024,
  query: 44 * 1024,
} as const;

/**
 * Major version of Node.js the functions run on: the Lambda runtime (`nodejs<N>.x`, BundledFunction's
 * NODE_RUNTIME) and esbuild's target (`node<N>`) both follow it.
 */
export const NODE_MAJOR_VERSION = 22;

/**
 * Left out of the bundle: Lambda's Node.js runtime ships AWS SDK v3 (and its Smithy core), so
 * bundling them would only add size and cold-start time.
 */
export const BUNDLE_EXTERNALS = ['@aws-sdk/*', '@smithy/*'] as const;

export interface BundleOptions {
  /**
   * Folder holding one sub-folder per function (tests point it at fixtures).
   * @default FUNCTIONS_DIR
   */
  readonly functionsDir?: string;
  /**
   * Largest zip accepted, bytes.
   * @default BUNDLE_BUDGETS[name]; required for a function without a budget
   */
  readonly maxZipBytes?: number;
}

/** A function's deployment package and the two fields of `spec.code` that carry it. */
export interface FunctionBundle {
  readonly name: string;
  /** The bundled JavaScript (the archive's only entry). */
  readonly code: string;
  readonly zip: Buffer;
  /** `spec.code.zipFile`: the CRD declares it `format: byte`, i.e. base64 in the manifest. */
  readonly zipFileBase64: string;
  /** `spec.code.sha256`: base64 of the SHA-256 of the zip bytes, as Lambda reports CodeSha256. */
  readonly sha256Base64: string;
  readonly maxZipBytes: number;
  /**
   * What the bundle was built from: the repository's own files (path relative to the repository,
   * with the SHA-256 of their content) and the npm packages (name@version), sorted.
   */
  readonly inputs: BundleInputs;
}

/** The inputs of a bundle, so a reviewer sees which sources a code change comes from. */
export interface BundleInputs {
  readonly sources: readonly { readonly path: string; readonly sha256: string }[];
  readonly packages: readonly string[];
  /** SHA-256 (hex) over every input file's path and content, packages included. */
  readonly sha256: string;
}

/** Hex digits of a source's hash shown per file: enough to tell versions apart at a glance. */
export const SOURCE_HASH_DIGITS = 12;

/** The bundle inputs as the lines of a manifest annotation: `<hash> <path>` per source, then `<name>@<version>` per package. */
export function bundleInputLines(inputs: BundleInputs): string {
  return [...inputs.sources.map(({ path, sha256 }) => `${sha256.slice(0, SOURCE_HASH_DIGITS)} ${path}`), ...inputs.packages].join('\n');
}

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

/** esbuild settings shared by every function; exported so tests and tools bundle the same way. */
export function esbuildOptions(entry: string, workingDir: string): BuildOptions & { write: false } {
  return {
    entryPoints: [entry],
    absWorkingDir: workingDir,
    outfile: join(workingDir, '.bundle', BUNDLE_ENTRY_FILE),
    write: false,
    bundle: true,
    platform: 'node',
    target: `node${NODE_MAJOR_VERSION}`,
    format: 'cjs',
    // Prefer the ESM builds of dependencies (Powertools ships both): they tree-shake better.
    mainFields: ['module', 'main'],
    external: [...BUNDLE_EXTERNALS],
    minify: true,
    // Minified identifiers but real `.name`s: error classes and handlers keep readable names in logs and
    // stack traces, and code that classifies errors by `constructor.name` keeps working.
    keepNames: true,
    // No source map: the package must be one `index.js`, an inline map would double it, and
    // `--enable-source-maps` costs cold-start time on a latency-critical path. keepNames is the compromise.
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
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
