/**
 * `npm run diff -- [--base <git ref>] [--env <env>]... [--format markdown|text]`: what a change does
 * to the rendered manifests, in reviewer terms. Renders the working tree in-process, compares it
 * with the manifests committed at the base (default: the merge base of HEAD with main) and prints
 * per environment the objects added, removed and changed: fields old → new, policy statements,
 * dashboard widgets, function code as changed source files, create-only fields as replacements; and
 * the controller IAM documents (controller-iam/*.json) added, removed and changed, statement by statement.
 * The environments are those of the working tree's config/ and of the base's manifests/: one whose
 * config was deleted shows every object as removed.
 * Exit 0: no change; 1: changes (like `git diff --exit-code`); 2: a bad flag, ref or environment.
 */
import { resolve } from 'node:path';
import { listEnvironments } from '../charts/lib/listEnvironments';
import { diffEnvironment } from './lib/diffEnvironment';
import { hasChanges } from './lib/hasChanges';
import { exitQuietlyOnClosedPipe } from './lib/exitQuietlyOnClosedPipe';
import { DIFF_USAGE, DiffUsageError, parseDiffArgs } from './lib/manifestDiffArgs';
import { formatReport } from './lib/manifestDiffReport';
import { committedEnvironment } from './lib/committedEnvironment';
import { committedEnvironments } from './lib/committedEnvironments';
import { BaseCommit } from './lib/defaultBase';
import { renderEnvironmentWithDocuments } from './lib/renderEnvironmentWithDocuments';
import { resolveBase } from './lib/resolveBase';
import type { Rendering } from './lib/manifestDiffTypes';

const projectRoot = resolve(__dirname, '..');

/** Where the two renderings come from and where the report goes; tests replace them. */
export interface DiffIo {
  /** The environments of the working tree (config/<env>.yaml). */
  readonly environments: () => readonly string[];
  /** The environments rendered at the base (manifests/<env>/). */
  readonly baseEnvironments: (commit: string) => readonly string[];
  readonly resolveBase: (ref: string | undefined) => BaseCommit;
  readonly committed: (commit: string, environment: string) => Rendering;
  readonly render: (environment: string) => Rendering;
  readonly out: (text: string) => void;
  readonly err: (line: string) => void;
}

export const GIT_AND_SYNTH: DiffIo = {
  environments: () => listEnvironments(),
  baseEnvironments: (commit) => committedEnvironments(commit, projectRoot),
  resolveBase: (ref) => resolveBase(ref, projectRoot),
  committed: (commit, environment) => committedEnvironment(commit, environment, projectRoot),
  render: (environment) => renderEnvironmentWithDocuments(environment),
  out: (text) => process.stdout.write(text),
  err: (line) => console.error(line),
};

function selectEnvironments(requested: readonly string[], known: readonly string[]): readonly string[] {
  const unknown = requested.find((environment) => !known.includes(environment));
  if (unknown !== undefined) {
    throw new DiffUsageError(`diff: --env: ${JSON.stringify(unknown)} has no config/${unknown}.yaml and no manifests/${unknown}/ at the base; environments: ${known.join(', ')}`);
  }
  return requested.length > 0 ? [...new Set(requested)] : known;
}

/** Nothing rendered: the working tree of an environment whose config was deleted. */
const NOTHING: Rendering = { objects: [], documents: {} };

/** Runs the command; returns the exit code. */
export function runDiff(argv: readonly string[], io: DiffIo = GIT_AND_SYNTH): number {
  try {
    const options = parseDiffArgs(argv);
    if (options === 'help') {
      io.out(`${DIFF_USAGE}\n`);
      return 0;
    }
    const base = io.resolveBase(options.base);
    const current = io.environments();
    const environments = selectEnvironments(options.environments, [...new Set([...current, ...io.baseEnvironments(base.commit)])].sort());
    const diffs = environments.map((environment) => {
      const before = io.committed(base.commit, environment);
      const deleted = !current.includes(environment);
      const after = deleted ? NOTHING : io.render(environment);
      const diff = diffEnvironment(environment, before.objects, after.objects, { before: before.documents, after: after.documents });
      return deleted ? { ...diff, note: `config/${environment}.yaml deleted: every object is removed` } : diff;
    });
    io.out(formatReport(diffs, options.format, base.description));
    return diffs.some(hasChanges) ? 1 : 0;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    io.err(error instanceof DiffUsageError ? message : `diff: ${message}`);
    return 2;
  }
}

if (require.main === module) {
  // `npm run diff | head` closes the pipe early: exit 0 rather than crash on EPIPE.
  exitQuietlyOnClosedPipe();
  process.exitCode = runDiff(process.argv.slice(2));
}
