/**
 * Renders the platform into `manifests/<env>/` for every environment in config/ (or those named
 * with `--env`). Everything renders into a staging folder first and replaces `manifests/<env>`
 * only when all environments succeeded, so a failed synth leaves the committed manifests as they were.
 * Each environment also gets its controllers' IAM policies in `manifests/<env>/controller-iam/`.
 * This is the platform's one render path: `cdk8s synth` runs main.ts, which calls runSynth with the
 * CLI's output folder as `--out`.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildApp } from '../main';
import { planCapacity } from '../charts/lib/capacity';
import { CONFIG_DIR } from '../charts/lib/config';
import { configFolderEnvironments } from './lib/configFolderEnvironments';
import { loadEnvironmentConfig } from '../charts/lib/loadEnvironmentConfig';
import { renderedObjects } from '../charts/lib/renderedObjects';
import { writeControllerPolicies } from '../charts/lib/writeControllerPolicies';
import { loadEnvironmentSet } from '../charts/lib/loadEnvironmentSet';
import { monthlyCost } from './lib/monthlyCost';
import { costSummaryLine } from './lib/costSummaryLine';
import { parseSynthArgs, SYNTH_USAGE } from './lib/synthArgs';
import { userPathOr } from './lib/userPathOr';

const projectRoot = resolve(__dirname, '..');

interface SynthOptions {
  /** Every environment of the config folder. */
  readonly known: readonly string[];
  readonly environments: readonly string[];
  readonly configDir: string;
  readonly outDir: string;
}

function synthOptions(values: Exclude<ReturnType<typeof parseSynthArgs>, 'help'>): SynthOptions {
  const configDir = userPathOr(values['config-dir'], CONFIG_DIR);
  const known = configFolderEnvironments(values['config-dir'], configDir, (message) => new Error(message));
  // Each environment once: a second pass would remove the folder the first one just moved into place.
  const environments = [...new Set(values.env ?? [])];
  return {
    known,
    environments: environments.length > 0 ? environments : known,
    configDir,
    outDir: userPathOr(values.out, join(projectRoot, 'manifests')),
  };
}

function countObjects(dir: string): number {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .reduce((sum, file) => sum + parseAllDocuments(readFileSync(join(dir, file), 'utf8')).filter((doc) => doc.contents !== null).length, 0);
}

/**
 * Folders of `manifestsDir` that no config file renders any more. Synth leaves them: removing one would let
 * Argo CD prune the environment (tables included) after a config file deleted by mistake. It says so instead.
 */
function warnOfRetiredFolders(manifestsDir: string, known: readonly string[], configDir: string): void {
  const retired = readdirSync(manifestsDir, { withFileTypes: true }).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !known.includes(entry.name));
  for (const { name } of retired) {
    console.warn(
      `synth: ${relative(projectRoot, join(manifestsDir, name))} has no ${relative(projectRoot, join(configDir, `${name}.yaml`))}, so it was not rendered: ` +
        `Argo CD keeps syncing it while its Application exists; to retire the environment follow README "Tear-down", then delete the folder`,
    );
  }
}

function synth(argv: readonly string[]): void {
  const started = process.hrtime.bigint();
  const values = parseSynthArgs(argv);
  if (values === 'help') {
    process.stdout.write(`${SYNTH_USAGE}\n`);
    return;
  }
  const { known, environments, configDir, outDir: manifestsDir } = synthOptions(values);
  const staging = join(manifestsDir, '.staging');
  rmSync(staging, { recursive: true, force: true });
  // Every environment of the folder, checked as a set (suffixes, shared accounts), even when one is rendered.
  loadEnvironmentSet(configDir);
  try {
    for (const environment of environments) {
      const config = loadEnvironmentConfig(environment, configDir);
      const plan = planCapacity(config);
      console.log(`capacity of ${environment} (${config.sourceFile}):`);
      for (const line of plan.derivation) console.log(`  ${line}`);
      console.log(`  ${costSummaryLine(monthlyCost(config, plan))}`);
      const app = buildApp(environment, join(staging, environment), configDir);
      app.synth();
      // Reviewable IAM policies of the controllers, in a subfolder Argo CD does not sync.
      writeControllerPolicies(config, renderedObjects(app), join(staging, environment));
    }
    for (const environment of environments) {
      const target = join(manifestsDir, environment);
      rmSync(target, { recursive: true, force: true });
      mkdirSync(manifestsDir, { recursive: true });
      renameSync(join(staging, environment), target);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(`synth: ${relative(projectRoot, target)}: ${countObjects(target)} objects (${seconds.toFixed(1)} s so far)`);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  warnOfRetiredFolders(manifestsDir, known, configDir);
}

/** `npm run synth` with `argv`: 0, or 1 after one line on stderr. */
export function runSynth(argv: readonly string[]): number {
  try {
    synth(argv);
    return 0;
  } catch (error) {
    console.error(`synth: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) process.exitCode = runSynth(process.argv.slice(2));
