import { App, Chart, Testing, YamlOutputType } from 'cdk8s';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitOpsChart } from '../../charts/gitops';
import { ARGOCD_NAMESPACE, GitOpsBootstrapChart, IN_CLUSTER_SERVER, MANAGED_API_GROUPS } from '../../charts/gitopsBootstrap';
import { RECIPIENTS_CHART_ID, RecipientsChart } from '../../charts/recipients';
import { committedObjects, findObject, platformProps, RenderedObject } from '../helpers/platform';

function render(environment = 'dev'): RenderedObject[] {
  return Testing.synth(new GitOpsBootstrapChart(Testing.app(), 'gitops-bootstrap', platformProps(environment))) as RenderedObject[];
}

/** Argo CD's directory globs as used here: `*` matches within one path segment, `{a,b}` either alternative. */
function globToRegExp(glob: string): RegExp {
  const alternatives = glob.startsWith('{') && glob.endsWith('}') ? glob.slice(1, -1).split(',') : [glob];
  const one = (pattern: string): string => pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('[^/]*');
  return new RegExp(`^(?:${alternatives.map(one).join('|')})$`);
}

/** JSON paths of the empty lists and maps under `value`. */
function emptyCollections(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((item, index) => emptyCollections(item, `${path}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  const entries = Object.entries(value);
  return entries.length === 0 ? [path] : entries.flatMap(([key, item]) => emptyCollections(item, `${path}.${key}`));
}

describe('GitOpsBootstrapChart', () => {
  const bootstrap = render();
  const project = findObject(bootstrap, 'AppProject', 'telemetry-dev');
  const application = findObject(bootstrap, 'Application', 'telemetry-dev');

  test('renders the ACK health checks in argocd-cm, the AppProject and both Applications, all in argocd', () => {
    expect(bootstrap).toMatchSnapshot();
    expect(bootstrap.map((object) => `${object.kind}/${object.metadata.namespace}/${object.metadata.name}`)).toEqual([
      'ConfigMap/argocd/argocd-cm',
      'AppProject/argocd/telemetry-dev',
      'Application/argocd/telemetry-dev',
      'Application/argocd/telemetry-dev-recipients',
    ]);
  });

  test('both live in argocd, are never pruned by a parent app, and carry no finalizer', () => {
    for (const object of [project, application]) {
      expect(object.metadata.namespace).toBe(ARGOCD_NAMESPACE);
      expect(object.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-10', 'argocd.argoproj.io/sync-options': 'Prune=false' });
      expect(object.metadata).not.toHaveProperty('finalizers');
    }
  });

  test('the AppProject admits one repository, one namespace of the in-cluster server, and only the rendered API groups', () => {
    expect(project.spec).toEqual({
      description: 'Plant telemetry dev: one repository, one namespace of the in-cluster server, only the ACK and Crossplane API groups',
      sourceRepos: ['https://git.example.com/plant/telemetry-platform.git'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'telemetry-dev' }],
      clusterResourceWhitelist: [
        { group: '', kind: 'Namespace', name: 'telemetry-dev' },
        { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicy', name: 'telemetry-dev-create-only-fields' },
        { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicyBinding', name: 'telemetry-dev-create-only-fields' },
      ],
      namespaceResourceWhitelist: [...MANAGED_API_GROUPS.map((group) => ({ group, kind: '*' })), { group: '', kind: 'ConfigMap' }],
      orphanedResources: { warn: true, ignore: [{ group: 'aws.m.upbound.io', kind: 'ProviderConfigUsage' }] },
    });
    expect(MANAGED_API_GROUPS.every((group) => group.endsWith('.services.k8s.aws') || group.endsWith('aws.m.upbound.io'))).toBe(true);
    expect([...MANAGED_API_GROUPS].sort()).toEqual(MANAGED_API_GROUPS);
  });

  test('the Application syncs manifests/<env> of the configured revision automatically, pruning and self-healing, with bounded retries', () => {
    expect(application.spec).toEqual({
      project: 'telemetry-dev',
      source: {
        repoURL: 'https://git.example.com/plant/telemetry-platform.git',
        targetRevision: 'main',
        path: 'manifests/dev',
        directory: { recurse: false, exclude: '{*gitops-bootstrap.k8s.yaml,*recipients.k8s.yaml}' },
      },
      destination: { server: IN_CLUSTER_SERVER, namespace: 'telemetry-dev' },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['ServerSideApply=true', 'CreateNamespace=true', 'PruneLast=true'],
        retry: { limit: 10, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
      },
    });
    expect((findObject(render('prod'), 'Application', 'telemetry-prod').spec as { source: { path: string } }).source.path).toBe('manifests/prod');
  });

  test("the recipients' Application syncs only the subscriptions' file, without PruneLast, so an unconfirmed recipient fails no sync", () => {
    // In one Application with PruneLast, prunes run in a wave after the subscriptions', and Argo CD fails a
    // sync whose earlier wave ends Degraded: one pending confirmation held every prune (gitops-engine's
    // sync context). Alone, the subscriptions' wave is the last, which succeeds even when Degraded.
    // The same as the platform's but for the files it takes and its sync options.
    const platform = application.spec as { source: object; syncPolicy: object };
    expect(findObject(bootstrap, 'Application', 'telemetry-dev-recipients').spec).toEqual({
      ...platform,
      source: { ...platform.source, directory: { recurse: false, include: '*recipients.k8s.yaml' } },
      syncPolicy: { ...platform.syncPolicy, syncOptions: ['ServerSideApply=true'] },
    });
  });

  test.each([
    ['independent charts', false],
    ['dependent charts (cdk8s prefixes an index)', true],
  ])('with %s, the platform\'s Application syncs every file but the bootstrap and the recipients\', and the recipients\' Application exactly theirs', (_case, dependent) => {
    const outdir = mkdtempSync(join(tmpdir(), 'gitops-'));
    const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    const gitops = new GitOpsChart(app, 'gitops', platformProps('dev'));
    const bootstrap = new GitOpsBootstrapChart(app, 'gitops-bootstrap', platformProps('dev'));
    const other = new Chart(app, 'other');
    const recipients = new RecipientsChart(app, RECIPIENTS_CHART_ID, platformProps('dev'));
    if (dependent) {
      other.addDependency(gitops);
      recipients.addDependency(other);
    }
    app.synth();
    const spec = (name: string): { source: { directory: { exclude?: string; include?: string } } } =>
      Testing.synth(bootstrap).find((object) => object.kind === 'Application' && object.metadata.name === name)?.spec;
    const platform = globToRegExp(spec('telemetry-dev').source.directory.exclude ?? '');
    const onlyRecipients = globToRegExp(spec('telemetry-dev-recipients').source.directory.include ?? '');
    const files = readdirSync(outdir).sort();
    const prefix = dependent ? '[0-9]{4}-' : '';
    expect(files.filter((file) => platform.test(file)).map((file) => file.replace(/^[0-9]{4}-/, '')).sort()).toEqual(['gitops-bootstrap.k8s.yaml', 'recipients.k8s.yaml']);
    const synced = files.filter((file) => !platform.test(file));
    expect(synced).toHaveLength(2);
    expect(synced[0]).toMatch(new RegExp(`^${prefix}gitops\\.k8s\\.yaml$`));
    expect(synced[1]).toMatch(new RegExp(`^${prefix}other\\.k8s\\.yaml$`));
    expect(files.filter((file) => onlyRecipients.test(file))).toEqual([expect.stringMatching(new RegExp(`^${prefix}recipients\\.k8s\\.yaml$`))]);
  });

  test('no committed Crossplane spec holds an empty list or map, which the provider would drop on every reconcile and selfHeal restore', () => {
    // Without ignoreDifferences the Application relies on controllers never rewriting what git sets. The
    // upjet provider's tags initializer writes the Go-typed object back on every reconcile, and its
    // slices and maps are omitempty: an empty one in git would vanish and come back forever.
    expect(emptyCollections({ forProvider: { shardLevelMetrics: [], tags: {}, kinesis: [{ partitionKey: 'x' }] } }, 'spec')).toEqual(['spec.forProvider.shardLevelMetrics', 'spec.forProvider.tags']);
    const crossplane = committedObjects().filter((object) => object.apiVersion.split('/')[0].endsWith('upbound.io'));
    expect(crossplane.length).toBeGreaterThan(10);
    expect(crossplane.flatMap((object) => emptyCollections(object.spec, `${object.kind}/${object.metadata.name}: spec`))).toEqual([]);
  });

  test('refuses an app that does not render one file per chart, since the exclusion is by file name', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'gitops-')), yamlOutputType: YamlOutputType.FILE_PER_APP });
    expect(() => new GitOpsBootstrapChart(app, 'gitops-bootstrap', platformProps('dev'))).toThrow(
      new Error(
        'GitOpsBootstrapChart: the app must render one file per chart (YamlOutputType.FILE_PER_CHART), got FILE_PER_APP; the Application excludes this chart by its file name',
      ),
    );
  });
});
