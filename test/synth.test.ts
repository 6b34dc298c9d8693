import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildApp } from '../main';
import { listEnvironments } from '../charts/lib/listEnvironments';
import { loadEnvironmentConfig } from '../charts/lib/loadEnvironmentConfig';
import { renderedObjects } from '../charts/lib/renderedObjects';
import { writeControllerPolicies } from '../charts/lib/writeControllerPolicies';

const projectRoot = join(__dirname, '..');

/** File path -> SHA-256 of every file below `dir` (hashes keep a failure readable: the files carry inline zips). */
function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
      .sort()
      .map((file) => [file, createHash('sha256').update(readFileSync(join(dir, file))).digest('hex')]),
  );
}

/** What `npm run synth` writes for one environment: the charts and the controller policies. */
function renderInto(environment: string): string {
  const outdir = mkdtempSync(join(tmpdir(), `synth-${environment}-`));
  const app = buildApp(environment, outdir);
  app.synth();
  writeControllerPolicies(loadEnvironmentConfig(environment), renderedObjects(app), outdir);
  return outdir;
}

describe('synth', () => {
  test.each(listEnvironments())('%s renders byte-identical output twice and equals the committed manifests', (environment) => {
    const first = readTree(renderInto(environment));
    const second = readTree(renderInto(environment));
    expect(Object.keys(first).length).toBeGreaterThan(0);
    expect(second).toEqual(first);
    // Argo CD deploys what is committed: a change to charts or functions must be re-synthesized (`npm run synth`).
    const committed = readTree(join(projectRoot, 'manifests', environment));
    const stale = Object.keys({ ...first, ...committed }).filter((file) => committed[file] !== first[file]);
    expect(stale.map((file) => `manifests/${environment}/${file} differs from what npm run synth renders`)).toEqual([]);
  });

  test('an invalid config fails with one line and leaves the manifests as they were', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'synth-bad-'));
    const configDir = join(workspace, 'config');
    cpSync(join(projectRoot, 'config'), configDir, { recursive: true });
    const prod = readFileSync(join(configDir, 'prod.yaml'), 'utf8');
    writeFileSync(join(configDir, 'prod.yaml'), prod.replace('region: sa-east-1', 'region: us-east-1'));
    const outDir = join(workspace, 'manifests');
    mkdirSync(join(outDir, 'dev'), { recursive: true });
    writeFileSync(join(outDir, 'dev', 'previous.k8s.yaml'), 'kept: true\n');

    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(projectRoot, 'scripts', 'synth.ts'), '--config-dir', configDir, '--out', outDir], {
      encoding: 'utf8',
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'synth: config/prod.yaml: region: value "us-east-1" is not allowed; data residency: every resource must stay in sa-east-1 (São Paulo)\n',
    );
    expect(readdirSync(join(outDir, 'dev'))).toEqual(['previous.k8s.yaml']);
    expect(existsSync(join(outDir, '.staging'))).toBe(false);
  });

  test('a second environment reusing a suffix is refused with one line, even when only another one is rendered', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'synth-suffix-'));
    const configDir = join(workspace, 'config');
    cpSync(join(projectRoot, 'config'), configDir, { recursive: true });
    writeFileSync(join(configDir, 'qa.yaml'), readFileSync(join(configDir, 'dev.yaml'), 'utf8').replace('environment: dev', 'environment: qa'));
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(projectRoot, 'scripts', 'synth.ts'), '--config-dir', configDir, '--env', 'prod', '--out', join(workspace, 'manifests')], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'synth: config/qa.yaml: suffix: value "dev" is not allowed; config/dev.yaml uses it already; the suffix makes the namespace and every physical name, so the two environments would manage the same resources\n',
    );
  });

  test('an environment named twice is rendered once, not removed by its second pass', () => {
    const outDir = join(mkdtempSync(join(tmpdir(), 'synth-twice-')), 'manifests');
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(projectRoot, 'scripts', 'synth.ts'), '--env', 'dev', '--env', 'dev', '--out', outDir], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout.match(/^synth: .*: \d+ objects/gm)).toHaveLength(1);
    expect(readTree(join(outDir, 'dev'))).toEqual(readTree(join(projectRoot, 'manifests', 'dev')));
  });

  test('a manifests folder whose config file is gone is left in place, with a warning naming both and the way to retire it', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'synth-retired-'));
    const outDir = join(workspace, 'manifests');
    mkdirSync(join(outDir, 'qa'), { recursive: true });
    writeFileSync(join(outDir, 'qa', 'storage.k8s.yaml'), 'kept: true\n');
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(projectRoot, 'scripts', 'synth.ts'), '--env', 'dev', '--out', outDir], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 0,
      stderr:
        `synth: ${relative(projectRoot, join(outDir, 'qa'))} has no config/qa.yaml, so it was not rendered: Argo CD keeps syncing it while its Application exists; ` +
        'to retire the environment follow README "Tear-down", then delete the folder\n',
    });
    // Removing it would let Argo CD prune the environment, tables included, after a config file deleted by mistake.
    expect(readdirSync(join(outDir, 'qa'))).toEqual(['storage.k8s.yaml']);
    expect(readdirSync(outDir).sort()).toEqual(['dev', 'qa']);
  });

  test.each([
    ['no such folder', (workspace: string) => join(workspace, 'missing')],
    ['holds no .yaml file', (workspace: string) => workspace],
  ])('a --config-dir that %s is refused with one line naming the flag', (reason, folderIn) => {
    const configDir = folderIn(mkdtempSync(join(tmpdir(), 'synth-config-dir-')));
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(projectRoot, 'scripts', 'synth.ts'), '--config-dir', configDir, '--out', join(tmpdir(), 'synth-unused')], {
      encoding: 'utf8',
    });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 1,
      stdout: '',
      stderr: `synth: --config-dir: ${configDir}: ${reason}; the configuration is one <environment>.yaml file per environment\n`,
    });
  });

  test('npm run cdk8s -- synth renders the committed manifests, quietly and offline', () => {
    const outdir = join(mkdtempSync(join(tmpdir(), 'cdk8s-cli-')), 'manifests');
    // An unreachable registry stands in for an offline machine: the CLI's upgrade check would print a stack trace.
    const env = { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', HOME: mkdtempSync(join(tmpdir(), 'home-')) };
    const run = spawnSync('npm', ['run', '--silent', 'cdk8s', '--', 'synth', '--output', outdir], { cwd: projectRoot, encoding: 'utf8', env });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(readTree(outdir)).toEqual(readTree(join(projectRoot, 'manifests')));
  });

  test('a flag synth does not know is one line naming it', () => {
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(projectRoot, 'scripts', 'synth.ts'), '--environment', 'dev'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("synth: Unknown option '--environment'; usage: npm run synth [-- [--env <name>]... [--config-dir <dir>] [--out <dir>]]\n");
  });

  test('an unknown environment is refused by name', () => {
    const run = () => execFileSync(process.execPath, [require.resolve('tsx/cli'), join(projectRoot, 'scripts', 'synth.ts'), '--env', 'qa', '--out', mkdtempSync(join(tmpdir(), 'synth-qa-'))], { stdio: 'pipe' });
    // execFileSync's message is "Command failed: <node path> <tsx> <script> ... <temp dir>\n<stderr>": machine-specific up to the stderr, which is matched whole.
    expect(run).toThrow(/\nsynth: config\/qa\.yaml: \(environment\): value "qa" is not allowed; unknown environment; known environments are dev, prod\n$/);
  });
});
