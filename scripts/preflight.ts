/**
 * `npm run preflight -- --env <env> [--base <git ref>]`: is the environment ready to deploy?
 * Exit 0 when ready, 1 with one line per problem, 2 for a bad flag. Logic in scripts/lib/preflight*.ts.
 */
import { resolve } from 'node:path';
import { CONFIG_DIR, ConfigFolderError } from '../charts/lib/config';
import { listEnvironments } from '../charts/lib/listEnvironments';
import { parsePreflightArgs, PREFLIGHT_USAGE } from './lib/preflightArgs';
import { runPreflight } from './lib/preflight';
import { PreflightUsageError } from './lib/preflightProblem';
import { exitQuietlyOnClosedPipe } from './lib/exitQuietlyOnClosedPipe';
import { defaultBase } from './lib/defaultBase';
import { committedIamDocuments } from './lib/committedIamDocuments';
import { deployedRendering } from './lib/deployedRendering';
import { resolveCommit } from './lib/resolveCommit';
import { userPathOr } from './lib/userPathOr';

const projectRoot = resolve(__dirname, '..');

function checkEnvironment(environment: string, configDir: string, configDirFlag: boolean): void {
  let known: string[];
  try {
    known = listEnvironments(configDir);
  } catch (error) {
    if (error instanceof ConfigFolderError && configDirFlag) throw new PreflightUsageError(`preflight: --config-dir: ${error.message}; ${PREFLIGHT_USAGE}`);
    throw error;
  }
  if (!known.includes(environment)) {
    throw new PreflightUsageError(`preflight: --env: value ${JSON.stringify(environment)} is not an environment; known environments are ${known.join(', ')}`);
  }
}

function resolveBase(base: string | undefined): string {
  if (base === undefined) {
    const found = defaultBase(projectRoot);
    if (found === undefined) throw new PreflightUsageError(`preflight: no commit to compare with: HEAD does not exist yet; pass --base <git ref>`);
    return found.commit;
  }
  const commit = resolveCommit(projectRoot, base);
  if (commit === undefined) {
    throw new PreflightUsageError(
      `preflight: --base: value ${JSON.stringify(base)} is not a commit of this repository; give a branch, tag or commit (default: the merge base of HEAD with main); ${PREFLIGHT_USAGE}`,
    );
  }
  return commit;
}

function main(argv: readonly string[]): number {
  const options = parsePreflightArgs(argv);
  if (options === 'help') {
    process.stdout.write(`${PREFLIGHT_USAGE}\n`);
    return 0;
  }
  const configDir = userPathOr(options.configDir, CONFIG_DIR);
  checkEnvironment(options.environment, configDir, options.configDir !== undefined);
  const base = resolveBase(options.base);
  const previous = deployedRendering(projectRoot, base, options.environment);
  const previousIamDocuments = previous === undefined ? undefined : committedIamDocuments(projectRoot, base, options.environment);
  const report = runPreflight({ environment: options.environment, configDir, previous, previousIamDocuments });
  for (const line of report.lines) console.log(line);
  return report.exitCode;
}

// `npm run preflight | head` closes the pipe early: exit 0 rather than crash on EPIPE.
exitQuietlyOnClosedPipe();
try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof PreflightUsageError ? error.message : `preflight: ${(error as Error).message}`);
  process.exitCode = error instanceof PreflightUsageError ? error.exitCode : 1;
}
