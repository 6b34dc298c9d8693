import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../main';
import { listEnvironments } from '../charts/lib/config';

const projectRoot = join(__dirname, '..');

/** File name -> SHA-256 of every manifest in `dir` (hashes keep a failure readable: the files carry inline zips). */
function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((file) => [file, createHash('sha256').update(readFileSync(join(dir, file))).digest('hex')]),
  );
}

function renderInto(environment: string): string {
  const outdir = mkdtempSync(join(tmpdir(), `synth-${environment}-`));
  buildApp(environment, outdir).synth();
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

  test('an unknown environment is refused by name', () => {
    const run = () => execFileSync(process.execPath, [require.resolve('tsx/cli'), join(projectRoot, 'scripts', 'synth.ts'), '--env', 'qa', '--out', mkdtempSync(join(tmpdir(), 'synth-qa-'))], { stdio: 'pipe' });
    expect(run).toThrow(/synth: config\/qa\.yaml: \(environment\): value "qa" is not allowed; unknown environment; known environments are dev, prod/);
  });
});
