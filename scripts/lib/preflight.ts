/**
 * Deploy readiness of one environment: placeholder values and missing recipients in its config,
 * then (when the config is valid) create-only changes, data deletions, shard-count jumps Kinesis
 * refuses and architecture changes the Lambda controller cannot make, against the rendering Argo CD deploys now. Pure of the command line and of git: the previous rendering is passed in.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { buildApp } from '../../main';
import { ConfigError } from '../../charts/lib/config';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { controllerPolicyFiles } from '../../charts/lib/controllerPolicyFiles';
import { renderedObjects } from '../../charts/lib/renderedObjects';
import { architectureProblems } from './architectureProblems';
import { configProblems } from './configProblems';
import { PreflightProblem } from './preflightProblem';
import { problemLine } from './problemLine';
import { RenderedFile } from './preflightRendering';
import { createOnlyProblems } from './createOnlyProblems';
import { currentRendering } from './currentRendering';
import { dataDeletionProblems } from './dataDeletionProblems';
import { iamDocumentSteps } from './iamDocumentSteps';
import { reshardingProblems } from './reshardingProblems';

export interface PreflightInput {
  readonly environment: string;
  readonly configDir: string;
  /** The manifests Argo CD deploys now (committed at --base); undefined for an environment not deployed yet. */
  readonly previous: readonly RenderedFile[] | undefined;
  /**
   * The IAM documents applied by hand as committed at --base (`controller-iam/<file>.json` → content);
   * undefined for an environment not deployed yet (bootstrap creates them all).
   * @default undefined
   */
  readonly previousIamDocuments?: Readonly<Record<string, string>>;
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
function render(
  input: PreflightInput,
  reported: readonly PreflightProblem[],
): { rendering?: RenderedFile[]; iamDocuments?: Record<string, string>; problems: PreflightProblem[] } {
  const outdir = mkdtempSync(join(tmpdir(), 'preflight-'));
  try {
    const app = buildApp(input.environment, outdir, input.configDir);
    const iamDocuments = controllerPolicyFiles(loadEnvironmentConfig(input.environment, input.configDir), renderedObjects(app));
    return { rendering: currentRendering(app), iamDocuments, problems: [] };
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
  const steps: string[] = [];
  if (!unreadable) {
    const { rendering, iamDocuments, problems: renderProblems } = render(input, problems);
    problems.push(...renderProblems);
    if (rendering && input.previous) {
      problems.push(
        ...createOnlyProblems(input.previous, rendering),
        ...dataDeletionProblems(input.previous, rendering),
        ...reshardingProblems(input.previous, rendering),
        ...architectureProblems(input.previous, rendering),
      );
    }
    if (iamDocuments && input.previousIamDocuments) steps.push(...iamDocumentSteps(input.previousIamDocuments, iamDocuments));
  }

  // Hand-applied IAM documents are steps, not problems: the change is fine once they are applied.
  const pending = steps.length === 0 ? '' : ` (once ${steps.length} IAM ${steps.length === 1 ? 'document is' : 'documents are'} applied by hand, above)`;
  const summary = problems.length === 0 ? `ready${pending}` : `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`;
  return {
    lines: [
      ...problems.map((problem) => problemLine(input.environment, problem)),
      ...steps.map((step) => `preflight ${input.environment}: before syncing: manifests/${input.environment}/${step}`),
      `preflight ${input.environment}: ${summary}`,
    ],
    exitCode: problems.length === 0 ? 0 : 1,
  };
}
