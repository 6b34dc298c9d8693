/** Command line of `npm run import`. */
import { parseArgs } from 'node:util';
import { helpRequested } from './helpRequested';
import { parseArgsProblem } from './parseArgsProblem';

export const IMPORT_USAGE = 'usage: npm run import [-- <dir>] (<dir>: the folder of the pinned CRDs, default ../shared/crds)';

export interface ImportOptions {
  /** The folder of the pinned CRDs as given; undefined: the default. */
  readonly sourceDir?: string;
}

/** The options of an import command line, 'help' for `--help`/`-h`, or an Error with the usage (a flag, or more than one folder). */
export function parseImportArgs(args: readonly string[]): ImportOptions | 'help' {
  if (helpRequested(args)) return 'help';
  let positionals: string[];
  try {
    // No flags: a mistyped one is refused rather than taken for the folder.
    ({ positionals } = parseArgs({ args: [...args], options: {}, allowPositionals: true, strict: true }));
  } catch (error) {
    throw new Error(`${parseArgsProblem(error)}; ${IMPORT_USAGE}`);
  }
  if (positionals.length > 1) throw new Error(`one folder, got ${positionals.length}; ${IMPORT_USAGE}`);
  const [sourceDir] = positionals;
  return sourceDir === undefined ? {} : { sourceDir };
}
