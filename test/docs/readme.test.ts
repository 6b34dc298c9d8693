import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { GitOpsChart } from '../../charts/gitops';
import { GitOpsBootstrapChart } from '../../charts/gitopsBootstrap';
import { quarantineKey } from '../../functions/shared/quarantineKey';
import type { QuarantiningFunction } from '../../functions/shared/QuarantineWriter';
import { readManifests } from '../../scripts/lib/local/readManifests';
import { committedObjects, findObject, platformProps, RenderedObject } from '../helpers/platform';
import { kinesisOrigin } from '../helpers/records';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The minimum version of a component as the README's controller table states it (`3.3 or later`). */
function statedMinimum(component: string): [number, number] {
  const row = readme.split('\n').find((line) => line.startsWith(`| ${component} |`));
  const version = row?.match(/\| (\d+)\.(\d+) or later/);
  if (!version) throw new Error(`README: no "| ${component} | <major>.<minor> or later" row`);
  return [Number(version[1]), Number(version[2])];
}

const atLeast = ([major, minor]: [number, number], [needMajor, needMinor]: [number, number]): boolean => major > needMajor || (major === needMajor && minor >= needMinor);

describe('README deployment requirements match what the manifests use', () => {
  const chart = new GitOpsChart(Testing.app(), 'gitops', platformProps('dev'));
  const bootstrap = new GitOpsBootstrapChart(Testing.app(), 'gitops-bootstrap', platformProps('dev'));
  const project = findObject(Testing.synth(bootstrap) as RenderedObject[], 'AppProject');
  const environment = Testing.synth(chart) as RenderedObject[];

  test('Argo CD: the AppProject names cluster-scoped objects (clusterResourceWhitelist[].name, Argo CD 3.3)', () => {
    const whitelist = (project.spec as { clusterResourceWhitelist: { name?: string }[] }).clusterResourceWhitelist;
    expect(whitelist.every((entry) => entry.name !== undefined)).toBe(true);
    expect(atLeast(statedMinimum('Argo CD'), [3, 3])).toBe(true);
  });

  test('Kubernetes: the create-only policy is admissionregistration.k8s.io/v1 (GA in 1.30)', () => {
    expect(findObject(environment, 'ValidatingAdmissionPolicy').apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(atLeast(statedMinimum('Kubernetes'), [1, 30])).toBe(true);
  });

  test('no argocd-cm key the README shows holds a wildcard (Kubernetes refuses * in ConfigMap keys)', () => {
    const keys = [...readme.matchAll(/^\s*(resource\.customizations[^\s:]*):/gm)].map((match) => match[1]);
    expect(keys.filter((key) => !/^[-._a-zA-Z0-9]+$/.test(key))).toEqual([]);
  });
});

describe('README describes what is rendered', () => {
  test('every rendered file of every environment has a row in the manifests table', () => {
    const listed = new Set([...readme.matchAll(/^\| `([^`]+\.k8s\.yaml)` \|/gm)].map((match) => match[1]));
    const rendered = new Set(
      readdirSync(join(__dirname, '..', '..', 'manifests'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .flatMap((environment) => readdirSync(join(environment.parentPath, environment.name)).filter((file) => file.endsWith('.k8s.yaml'))),
    );
    expect([...rendered].filter((file) => !listed.has(file)).sort()).toEqual([]);
    expect([...listed].filter((file) => !rendered.has(file)).sort()).toEqual([]);
  });
});

describe('README figures of the rendered manifests', () => {
  /** Objects of one environment's committed manifests, counted as `npm run synth` prints them. */
  const objectsOf = (environment: string): number => {
    const dir = join(__dirname, '..', '..', 'manifests', environment);
    return readdirSync(dir)
      .filter((file) => file.endsWith('.yaml'))
      .reduce((sum, file) => sum + parseAllDocuments(readFileSync(join(dir, file), 'utf8')).filter((document) => document.contents !== null).length, 0);
  };

  test('the benchmark table states the object counts synth renders', () => {
    const stated = readme.match(/\| `npm run synth` \| both environments, (\d+) \+ (\d+) objects/);
    expect(stated?.slice(1, 3).map(Number)).toEqual([objectsOf('dev'), objectsOf('prod')]);
  });
});

describe('README on the sync waves, the diagram and the tear-down', () => {
  const committed = committedObjects();

  test('the wave table has a row for every sync wave the manifests use, and none other', () => {
    const rendered = new Set(committed.map((object) => object.metadata.annotations?.['argocd.argoproj.io/sync-wave']).filter((wave): wave is string => wave !== undefined));
    const start = readme.indexOf('| wave | objects |');
    const table = readme.slice(start, readme.indexOf('\n\n', start));
    const rows = [...table.matchAll(/^\| (-?\d+) \|/gm)].map((match) => match[1] as string);
    expect([...new Set(rows)].sort()).toEqual([...rendered].sort());
  });

  test('the diagram puts the functions\' quarantine and the rules\' error actions under the prefixes they write', () => {
    const diagram = /```mermaid\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const label = (edge: RegExp): string => {
      const node = edge.exec(diagram)?.[1];
      return new RegExp(`\\b${node ?? '-'}\\[\\("([^"]+)"\\)\\]`).exec(diagram)?.[1] ?? '';
    };
    const prefix = (key: string): string => key.split('/').slice(0, 2).join('/') + '/';
    const origin = kinesisOrigin();
    for (const fn of ['processor', 'storer'] as QuarantiningFunction[]) {
      const node = label(new RegExp(`\\b${fn === 'processor' ? 'proc' : 'store'} -\\. invalid records \\.-> (\\w+)`));
      expect([fn, node.includes(prefix(quarantineKey(fn, { origin })))]).toEqual([fn, true]);
    }
    const errorKeys = readManifests(join(__dirname, '..', '..', 'manifests', 'dev'), 'dev').topicRules.map((rule) => rule.errorS3?.key ?? '');
    const errorNode = label(/\brule -\. error action \.-> (\w+)/);
    for (const key of errorKeys) expect([key, errorNode.includes(prefix(key))]).toEqual([key, true]);
    expect(errorNode).not.toMatch(/quarantine\/(processor|storer)/);
  });

  test('tears down every Application and the AppProject the bootstrap renders, the recipients first', () => {
    const bootstrap = Testing.synth(new GitOpsBootstrapChart(Testing.app(), 'gitops-bootstrap', platformProps('dev'))) as RenderedObject[];
    // The Applications and the project are named by the suffix (dev's is dev), not by the environment's name.
    const generic = (name: string): string => name.replace('-dev', '-<suffix>');
    const section = readme.slice(readme.indexOf('**Tear-down.**'), readme.indexOf('## Reviewing a change'));
    const applications = bootstrap.filter((object) => object.kind === 'Application');
    const position = (object: RenderedObject): number => section.indexOf(`\`argocd app delete --cascade ${generic(object.metadata.name)}\``);
    for (const application of applications) expect([application.metadata.name, position(application) >= 0]).toEqual([application.metadata.name, true]);
    const directory = (object: RenderedObject): { include?: string } => (object.spec as { source: { directory: { include?: string } } }).source.directory;
    const recipients = applications.filter((application) => directory(application).include !== undefined);
    const platform = applications.filter((application) => directory(application).include === undefined);
    expect([recipients.length, platform.length]).toEqual([1, 1]);
    expect(position(recipients[0]!)).toBeLessThan(position(platform[0]!));
    const project = findObject(bootstrap, 'AppProject');
    expect(section.indexOf(`\`argocd proj delete ${generic(project.metadata.name)}\``)).toBeGreaterThan(position(platform[0]!));
  });
});
