/**
 * Renders the platform into `manifests/<env>/` for every environment in config/ (or those named
 * with `--env`). Everything renders into a staging folder first and replaces `manifests/<env>`
 * only when all environments succeeded, so a failed synth leaves the committed manifests as they were.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildApp } from '../main';
import { planCapacity } from '../charts/lib/capacity';
import { CONFIG_DIR, listEnvironments, loadEnvironmentConfig } from '../charts/lib/config';

const projectRoot = resolve(__dirname, '..');

const USAGE = 'usage: npm run synth [-- [--env <name>]... [--config-dir <dir>] [--out <dir>]]';

interface SynthOptions {
  readonly environments: readonly string[];
  readonly configDir: string;
  readonly outDir: string;
}

function parseOptions(argv: readonly string[]): SynthOptions {
  const environments: string[] = [];
  let configDir = CONFIG_DIR;
  let outDir = join(projectRoot, 'manifests');
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    const value = argv[index + 1];
    if (value === undefined || !['--env', '--config-dir', '--out'].includes(flag)) throw new Error(`unknown argument "${flag}"; ${USAGE}`);
    if (flag === '--env') environments.push(value);
    if (flag === '--config-dir') configDir = resolve(value);
    if (flag === '--out') outDir = resolve(value);
    index++;
  }
  return { environments: environments.length > 0 ? environments : listEnvironments(configDir), configDir, outDir };
}

function countObjects(dir: string): number {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .reduce((sum, file) => sum + parseAllDocuments(readFileSync(join(dir, file), 'utf8')).filter((doc) => doc.contents !== null).length, 0);
}

function main(): void {
  const started = process.hrtime.bigint();
  const { environments, configDir, outDir: manifestsDir } = parseOptions(process.argv.slice(2));
  const staging = join(manifestsDir, '.staging');
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const environment of environments) {
      const config = loadEnvironmentConfig(environment, configDir);
      const plan = planCapacity(config);
      console.log(`capacity of ${environment} (${config.sourceFile}):`);
      for (const line of plan.derivation) console.log(`  ${line}`);
      buildApp(environment, join(staging, environment), configDir).synth();
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
}

try {
  main();
} catch (error) {
  console.error(`synth: ${(error as Error).message}`);
  process.exit(1);
}
