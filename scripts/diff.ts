/**
 * `npm run diff -- [--base <git ref>] [--env <env>]... [--format markdown|text]`: what a change does
 * to the rendered manifests, in reviewer terms. Renders the working tree in-process, compares it
 * with the manifests committed at the base (default: the merge base of HEAD with main) and prints
 * per environment the objects added, removed and changed: fields old → new, policy statements,
 * dashboard widgets, function code as changed source files, create-only fields as replacements.
 * Exit 0: no change; 1: changes (like `git diff --exit-code`); 2: a bad flag, ref or environment.
 */
import { resolve } from 'node:path';
import { listEnvironments } from '../charts/lib/config';
import { diffEnvironment, hasChanges } from './lib/manifestDiff';
import { DIFF_USAGE, DiffUsageError, parseDiffArgs } from './lib/manifestDiffArgs';
import { formatReport } from './lib/manifestDiffReport';
import { BaseCommit, committedEnvironment, renderEnvironment, resolveBase } from './lib/manifestDiffSources';
import type { ManifestObject } from './lib/manifestDiffTypes';

const projectRoot = resolve(__dirname, '..');

/** Where the two renderings come from and where the report goes; tests replace them. */
export interface DiffIo {
  readonly environments: () => readonly string[];
  readonly resolveBase: (ref: string | undefined) => BaseCommit;
  readonly committed: (commit: string, environment: string) => ManifestObject[];
  readonly render: (environment: string) => ManifestObject[];
  readonly out: (text: string) => void;
  readonly err: (line: string) => void;
}

export const GIT_AND_SYNTH: DiffIo = {
  environments: () => listEnvironments(),
  resolveBase: (ref) => resolveBase(ref, projectRoot),
  committed: (commit, environment) => committedEnvironment(commit, environment, projectRoot),
  render: (environment) => renderEnvironment(environment),
  out: (text) => process.stdout.write(text),
  err: (line) => console.error(line),
};

function selectEnvironments(requested: readonly string[], known: readonly string[]): readonly string[] {
  const unknown = requested.find((environment) => !known.includes(environment));
  if (unknown !== undefined) throw new DiffUsageError(`diff: --env: ${JSON.stringify(unknown)} has no config/${unknown}.yaml; environments: ${known.join(', ')}`);
  return requested.length > 0 ? [...new Set(requested)] : known;
}

/** Runs the command; returns the exit code. */
export function runDiff(argv: readonly string[], io: DiffIo = GIT_AND_SYNTH): number {
  try {
    const options = parseDiffArgs(argv);
    if (options === 'help') {
      io.out(`${DIFF_USAGE}\n`);
      return 0;
    }
    const environments = selectEnvironments(options.environments, io.environments());
    const base = io.resolveBase(options.base);
    const diffs = environments.map((environment) => diffEnvironment(environment, io.committed(base.commit, environment), io.render(environment)));
    io.out(formatReport(diffs, options.format, base.description));
    return diffs.some(hasChanges) ? 1 : 0;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    io.err(error instanceof DiffUsageError ? message : `diff: ${message}`);
    return 2;
  }
}

if (require.main === module) process.exitCode = runDiff(process.argv.slice(2));
