import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject, App, JsonPatch, Names, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Application, AppProject } from '../imports/argoproj.io';
import { ARGO_SYNC_OPTIONS_ANNOTATION, createOnlyPolicyName } from './gitops';
import { kubernetesMetadata } from './lib/kubernetesMetadata';
import type { EnvironmentConfig } from './lib/config';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';
import { RECIPIENTS_CHART_ID } from './recipients';

/** Namespace of the Argo CD installation, where AppProjects and Applications live. */
export const ARGOCD_NAMESPACE = 'argocd';

/** Argo CD's name for the cluster it runs in: ACK, Crossplane and Argo CD share the management cluster. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/**
 * API groups of the namespaced objects the platform renders (ACK controllers and Crossplane's
 * upjet AWS provider), the only ones its AppProject admits. The schema test checks the list
 * against the rendered objects in both directions, so it stays exact.
 */
export const MANAGED_API_GROUPS: readonly string[] = [
  'athena.aws.m.upbound.io',
  'aws.m.upbound.io',
  'cloudwatch.services.k8s.aws',
  'cloudwatchlogs.services.k8s.aws',
  'dynamodb.services.k8s.aws',
  'ec2.services.k8s.aws',
  'firehose.aws.m.upbound.io',
  'glue.aws.m.upbound.io',
  'iam.services.k8s.aws',
  'iot.aws.m.upbound.io',
  'kinesis.aws.m.upbound.io',
  'kms.services.k8s.aws',
  'lambda.services.k8s.aws',
  's3.services.k8s.aws',
  'sns.services.k8s.aws',
  'sqs.services.k8s.aws',
];

/**
 * The ACK kinds the platform renders. Argo CD releases up to 3.3 ship no health check for them, so
 * the bootstrap adds one per kind to argocd-cm (without it the sync waves would not wait for ACK
 * objects at all). The schema test checks the list against the rendered objects in both directions.
 */
export const ACK_KINDS: readonly { readonly group: string; readonly kind: string }[] = [
  { group: 'cloudwatch.services.k8s.aws', kind: 'Dashboard' },
  { group: 'cloudwatch.services.k8s.aws', kind: 'MetricAlarm' },
  { group: 'cloudwatchlogs.services.k8s.aws', kind: 'LogGroup' },
  { group: 'dynamodb.services.k8s.aws', kind: 'Table' },
  { group: 'ec2.services.k8s.aws', kind: 'RouteTable' },
  { group: 'ec2.services.k8s.aws', kind: 'SecurityGroup' },
  { group: 'ec2.services.k8s.aws', kind: 'Subnet' },
  { group: 'ec2.services.k8s.aws', kind: 'VPC' },
  { group: 'ec2.services.k8s.aws', kind: 'VPCEndpoint' },
  { group: 'iam.services.k8s.aws', kind: 'Policy' },
  { group: 'iam.services.k8s.aws', kind: 'Role' },
  { group: 'kms.services.k8s.aws', kind: 'Alias' },
  { group: 'kms.services.k8s.aws', kind: 'Key' },
  { group: 'lambda.services.k8s.aws', kind: 'EventSourceMapping' },
  { group: 'lambda.services.k8s.aws', kind: 'Function' },
  { group: 'lambda.services.k8s.aws', kind: 'FunctionURLConfig' },
  { group: 's3.services.k8s.aws', kind: 'Bucket' },
  { group: 'sns.services.k8s.aws', kind: 'Subscription' },
  { group: 'sns.services.k8s.aws', kind: 'Topic' },
  { group: 'sqs.services.k8s.aws', kind: 'Queue' },
];

/** The Lua health check of ACK objects (Argo CD runs it with gopher-lua, Lua 5.1). */
export const ACK_HEALTH_LUA_FILE = join(__dirname, 'argocd', 'ack-health.lua');

/** argocd-cm key of a kind's health customization (wildcards are allowed only inside `resource.customizations`). */
export function healthCustomizationKey(group: string, kind: string): string {
  return `resource.customizations.health.${group}_${kind}`;
}

/** ConfigMap of Argo CD's settings, which the bootstrap patches with server-side apply. */
export const ARGOCD_CONFIG_MAP = 'argocd-cm';

/**
 * Sync options of the platform's Application. ServerSideApply: the inline function code exceeds the
 * last-applied annotation of client-side apply. CreateNamespace: the first sync never trips over a
 * namespace that the same sync creates (the Namespace manifest then sets its labels and annotations).
 * PruneLast: an object removed or renamed in git is deleted after the replacement is healthy, so a
 * renamed role or function never leaves a gap.
 */
export const SYNC_OPTIONS: readonly string[] = ['ServerSideApply=true', 'CreateNamespace=true', 'PruneLast=true'];
/** Sync options of the recipients' Application: no PruneLast, so its prunes run in its only wave (see the Application). */
export const RECIPIENTS_SYNC_OPTIONS: readonly string[] = ['ServerSideApply=true'];

/** Metadata of a bootstrap object in namespace argocd; `Prune=false` keeps a root app that adopts the file from deleting it. */
function bootstrapMetadata(config: EnvironmentConfig, name: string): ReturnType<typeof kubernetesMetadata> {
  const base = kubernetesMetadata(config, name, ARGOCD_NAMESPACE, 'namespace');
  return { ...base, annotations: { ...base.annotations, [ARGO_SYNC_OPTIONS_ANNOTATION]: 'Prune=false' } };
}

/**
 * The Argo CD AppProject and Application of the environment, in namespace argocd.
 *
 * Bootstrap: they live in their own file, `manifests/<env>/<id>.k8s.yaml`, which the Application
 * excludes from what it syncs, and are applied once by hand after Argo CD, the ACK controllers and
 * Crossplane with its AWS providers are installed:
 *
 *     kubectl apply --server-side -f manifests/<env>/*gitops-bootstrap.k8s.yaml
 *
 * (re-applied the same way when they change). The Application then syncs the rest of the folder.
 * It cannot manage itself: the project admits only the environment's namespace and the ACK and
 * Crossplane groups, so syncing an Application into argocd would fail the whole sync; and being
 * outside the source it is never pruned. Should a root app-of-apps ever adopt this file, the
 * `Prune=false` annotation keeps that root from deleting them.
 */
export class GitOpsBootstrapChart extends PlatformChart {
  readonly project: AppProject;
  readonly application: Application;
  /** The Application of the e-mail subscriptions alone (charts/recipients.ts says why). */
  readonly recipientsApplication: Application;
  /** Argo CD's settings ConfigMap, of which this chart owns only the ACK health checks (server-side apply). */
  readonly healthChecks: kplus.ConfigMap;
  /** Glob of this chart's manifest file, which the Application leaves out of its source. */
  readonly manifestGlob: string;
  /** Glob of the recipients chart's manifest file: the recipients' Application syncs it, the platform's leaves it out. */
  readonly recipientsGlob: string;

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, { ...props, namespace: ARGOCD_NAMESPACE });
    const { config, names } = this;

    const app = App.of(this);
    if (app.yamlOutputType !== YamlOutputType.FILE_PER_CHART) {
      throw new Error(
        `GitOpsBootstrapChart: the app must render one file per chart (YamlOutputType.FILE_PER_CHART), got ${YamlOutputType[app.yamlOutputType]}; ` +
          'the Application excludes this chart by its file name',
      );
    }
    // cdk8s names the file after the chart, prefixed with an index when charts depend on each other.
    this.manifestGlob = `*${Names.toDnsLabel(this)}${app.outputFileExtension}`;
    this.recipientsGlob = `*${RECIPIENTS_CHART_ID}${app.outputFileExtension}`;


    this.project = new AppProject(this, 'project', {
      metadata: bootstrapMetadata(config, names.argoProject),
      spec: {
        description: `Plant telemetry ${config.environment}: one repository, one namespace of the in-cluster server, only the ACK and Crossplane API groups`,
        sourceRepos: [config.gitops.repoURL],
        destinations: [{ server: IN_CLUSTER_SERVER, namespace: names.namespace }],
        // The cluster-scoped objects the platform renders: its namespace and its create-only-field policy.
        clusterResourceWhitelist: [
          { group: '', kind: 'Namespace', name: names.namespace },
          { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicy', name: createOnlyPolicyName(names) },
          { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicyBinding', name: createOnlyPolicyName(names) },
        ],
        // Core ConfigMaps: the Grafana dashboards (grafana chart) for the Grafana sidecar.
        namespaceResourceWhitelist: [...MANAGED_API_GROUPS.map((group) => ({ group, kind: '*' })), { group: '', kind: 'ConfigMap' }],
        // Crossplane creates a ProviderConfigUsage per managed resource beside them: expected, not orphaned.
        orphanedResources: { warn: true, ignore: [{ group: 'aws.m.upbound.io', kind: 'ProviderConfigUsage' }] },
      },
    });

    // Argo CD's directory globs take alternatives in braces.
    this.application = this.renderApplication('application', names.argoApplication, { recurse: false, exclude: `{${this.manifestGlob},${this.recipientsGlob}}` }, SYNC_OPTIONS);
    // Alone and without PruneLast, the subscriptions' only wave is the last one: Argo CD counts a sync
    // successful even while a recipient has not confirmed (the Application shows Degraded until all
    // have), where in the platform's Application a Degraded object before the prune wave failed the
    // sync and held every prune. No CreateNamespace: until the platform's Application has created the
    // namespace and the topics, the sync retries.
    this.recipientsApplication = this.renderApplication('recipients-application', names.argoRecipientsApplication, { recurse: false, include: this.recipientsGlob }, RECIPIENTS_SYNC_OPTIONS);

    // Applied with `kubectl apply --server-side`, this sets only these keys of argocd-cm: the other
    // settings keep their owners (Helm, the operator). Per-kind keys, not the `*.services.k8s.aws`
    // wildcard, because a ConfigMap key cannot hold `*`, and a kind without a check is healthy at once.
    // Only the label Argo CD finds its settings by: the platform's labels (managed-by) would conflict
    // with the owner of the ConfigMap's own.
    const healthLua = readFileSync(ACK_HEALTH_LUA_FILE, 'utf8');
    this.healthChecks = new kplus.ConfigMap(this, 'argocd-health-checks', {
      metadata: { name: ARGOCD_CONFIG_MAP, namespace: ARGOCD_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'argocd' } },
      data: Object.fromEntries(ACK_KINDS.map(({ group, kind }) => [healthCustomizationKey(group, kind), healthLua])),
    });
    // cdk8s-plus writes immutable: false, a field this patch has no business owning.
    ApiObject.of(this.healthChecks).addJsonPatch(JsonPatch.remove('/immutable'));
    this.project.addDependency(this.healthChecks);
  }

  /** An Application of the environment's folder: the files `directory` selects, synced automatically with bounded retries. */
  private renderApplication(id: string, name: string, directory: { recurse: false; include?: string; exclude?: string }, syncOptions: readonly string[]): Application {
    const { config, names } = this;
    const application = new Application(this, id, {
      metadata: bootstrapMetadata(config, name),
      spec: {
        project: names.argoProject,
        source: { repoUrl: config.gitops.repoURL, targetRevision: config.gitops.targetRevision, path: `manifests/${config.environment}`, directory },
        destination: { server: IN_CLUSTER_SERVER, namespace: names.namespace },
        // No resources finalizer: deleting the Application by mistake (kubectl, a pruning root app)
        // must orphan the environment, not destroy it; `argocd app delete --cascade` still destroys it.
        //
        // No ignoreDifferences. With ServerSideApply=true Argo CD diffs by structured merge, so a field
        // these manifests leave unset that a controller fills in (ACK late-initialization or its create
        // response, Crossplane's external name, reference targets and crossplane-* tags) belongs to that
        // controller's field manager and is not drift. Writes into what we set stay one-off:
        // - ACK patches the spec once with its create response, which may differ inside a field we set
        //   (an on-demand table's index gains provisionedThroughput 0/0; a list is replaced whole, as
        //   lists without x-kubernetes-list-type are atomic). selfHeal restores git's form once; the
        //   controller counts both as equal and does not write it again (its updates return git's spec).
        // - ACK late-initializes only top-level fields that are still unset, none inside a list we set
        //   (it retries every reconcile, so one there would flip forever). Crossplane would late-
        //   initialize inside atomic forProvider blocks on every observation: management policies
        //   without LateInitialize stop that at the source instead of hiding the drift.
        syncPolicy: {
          // An empty render never prunes everything: allowEmpty stays false.
          automated: { prune: true, selfHeal: true },
          syncOptions: [...syncOptions],
          retry: { limit: 10, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
        },
      },
    });
    application.addDependency(this.project);
    return application;
  }
}
