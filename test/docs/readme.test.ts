import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { GitOpsChart } from '../../charts/gitops';
import { findObject, platformProps, RenderedObject } from '../helpers/platform';

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
  const project = findObject(Testing.synth(chart.bootstrap) as RenderedObject[], 'AppProject');
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
