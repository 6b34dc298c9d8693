import { join } from 'node:path';

/**
 * Code delivery of the Lambda functions: each `functions/<name>/index.ts` is bundled by esbuild into
 * one `index.js` (bundleFunction.ts), zipped reproducibly (createZip.ts) and carried inline in the ACK Function
 * manifest (`spec.code.zipFile`, base64) with `spec.code.sha256`, the field the ACK controller
 * compares to decide whether to update the code.
 */

/** The folder with one sub-folder per function, beside charts/. */
export const FUNCTIONS_DIR = join(__dirname, '..', '..', 'functions');

/** The one file of every deployment package; the Function handler is `index.handler`. */
export const BUNDLE_ENTRY_FILE = 'index.js';
export const HANDLER_EXPORT = 'handler';

/**
 * Zip size budgets, bytes: about 2x the measured packages (processor 38.4 KB, storer 21.4 KB, query 19.6 KB with
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
