/**
 * Deploy readiness of one environment: placeholder values and missing recipients in its config,
 * then (when the config is valid) create-only changes and data deletions against the rendering
 * Argo CD deploys now. Pure of the command line and of git: the previous rendering is passed in.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { buildApp } from '../../main';
import { ConfigError } from '../../charts/lib/config';
import { configProblems } from './preflightConfig';
import { PreflightProblem, problemLine } from './preflightProblem';
import { createOnlyProblems, currentRendering, dataDeletionProblems, RenderedFile } from './preflightRendering';

export interface PreflightInput {
  readonly environment: string;
  readonly configDir: string;
  /** The manifests Argo CD deploys now (committed at --base); undefined for an environment not deployed yet. */
  readonly previous: readonly RenderedFile[] | undefined;
}

export interface PreflightReport {
  readonly lines: readonly string[];
  readonly exitCode: 0 | 1;
}

function readDocument(path: string, file: string): { document?: unknown; problem?: PreflightProblem } {
  try {
    return { document: parse(readFileSync(path, 'utf8')) as unknown };
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    return { problem: { subject: file, field: '(document)', wrong: `cannot be read: ${reason}`, todo: 'fix the YAML' } };
  }
}

/** Renders the environment in memory; a config synth would refuse becomes a problem, unless a config check reported that field already. */
function render(input: PreflightInput, reported: readonly PreflightProblem[]): { rendering?: RenderedFile[]; problems: PreflightProblem[] } {
  const outdir = mkdtempSync(join(tmpdir(), 'preflight-'));
  try {
    return { rendering: currentRendering(buildApp(input.environment, outdir, input.configDir)), problems: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (reported.some((problem) => problem.subject === error.file && problem.field.startsWith(error.field))) return { problems: [] };
    const [, reason] = error.message.split(`${error.field}: `);
    return { problems: [{ subject: error.file, field: error.field, wrong: reason ?? error.message, todo: 'fix the config (npm run synth checks it the same way)' }] };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function runPreflight(input: PreflightInput): PreflightReport {
  const path = join(input.configDir, `${input.environment}.yaml`);
  const file = relative(join(input.configDir, '..'), path);
  if (!existsSync(path)) throw new Error(`${file}: no such environment file`);

  const { document, problem: unreadable } = readDocument(path, file);
  const problems: PreflightProblem[] = unreadable ? [unreadable] : configProblems(file, input.environment, document);
  if (!unreadable) {
    const { rendering, problems: renderProblems } = render(input, problems);
    problems.push(...renderProblems);
    if (rendering && input.previous) {
      problems.push(...createOnlyProblems(input.previous, rendering), ...dataDeletionProblems(input.previous, rendering));
    }
  }

  const summary = problems.length === 0 ? 'ready' : `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`;
  return {
    lines: [...problems.map((problem) => problemLine(input.environment, problem)), `preflight ${input.environment}: ${summary}`],
    exitCode: problems.length === 0 ? 0 : 1,
  };
}
