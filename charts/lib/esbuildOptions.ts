import { join } from 'node:path';
import { BuildOptions } from 'esbuild';
import { BUNDLE_ENTRY_FILE, BUNDLE_EXTERNALS, NODE_MAJOR_VERSION } from './bundle';

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
