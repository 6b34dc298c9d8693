import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ProviderConfig, ProviderConfigSpecCredentialsSource } from '../imports/aws.m.upbound.io';
import { CREATE_ONLY_KINDS } from './lib/createOnlyFields';
import { celUnchangedOnceSet } from './lib/celUnchangedOnceSet';
import { crossplaneMetadata } from './lib/crossplaneMetadata';
import { kubernetesMetadata } from './lib/kubernetesMetadata';
import { platformLabels } from './lib/platformLabels';
import { PlatformNames } from './lib/names';
import { PlatformChart, PlatformChartProps } from './lib/PlatformChart';

/** Argo CD: per-object sync options (`Prune=false` on the namespace here and on the bootstrap objects). */
export const ARGO_SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
/** ACK: the region of any ACK object of the namespace that would lack its own region annotation. */
const ACK_DEFAULT_REGION_ANNOTATION = 'services.k8s.aws/default-region';

/**
 * The environment's namespace and the Crossplane ProviderConfig its managed resources point at
 * (both synced by Argo CD, first). The Argo CD AppProject and Application that do the syncing are
 * the bootstrap chart's (charts/gitopsBootstrap.ts), rendered to a file of their own.
 */
export class GitOpsChart extends PlatformChart {
  readonly environmentNamespace: kplus.Namespace;
  readonly providerConfig: ProviderConfig;
  /** Refuses a change to a create-only field that the CRDs themselves do not guard (see createOnlyFields). */
  readonly createOnlyPolicy: ApiObject;

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, props);
    const { config, names } = this;

    // Deleting this namespace deletes every ACK and Crossplane object in it, and with them (deletion
    // policy delete) every AWS resource of the environment. Prune=false keeps Argo CD from doing that
    // because the object vanished from git (a broken render, a removed chart); tearing an environment
    // down on purpose is `argocd app delete --cascade`, which this annotation does not block.
    const base = kubernetesMetadata(config, names.namespace, undefined, 'namespace');
    this.environmentNamespace = new kplus.Namespace(this, 'namespace', {
      metadata: {
        ...base,
        labels: {
          ...platformLabels(config),
          // Only custom resources live here: no pod may run in it, let alone a privileged one.
          'pod-security.kubernetes.io/enforce': 'restricted',
        },
        annotations: {
          ...base.annotations,
          [ARGO_SYNC_OPTIONS_ANNOTATION]: 'Prune=false',
          // No services.k8s.aws/owner-account-id: that annotation is ACK's cross-account (CARM) trigger,
          // and with it every object waits for a role in the ack-role-account-map ConfigMap, even for the
          // controller's own account. The controllers act in the account of their own roles, which the
          // controller policies (manifests/<env>/controller-iam/) confine to this account's resources.
          [ACK_DEFAULT_REGION_ANNOTATION]: config.region,
        },
      },
    });
    // A Namespace is cluster-scoped: drop the chart's default namespace and cdk8s-plus' empty spec.
    ApiObject.of(this.environmentNamespace).addJsonPatch(JsonPatch.remove('/metadata/namespace'), JsonPatch.remove('/spec'));

    // Keyless credentials for the provider pods of an EKS management cluster. Of the two keyless
    // sources the CRD offers (IRSA, PodIdentity) this takes EKS Pod Identity: its role trusts the
    // service principal pods.eks.amazonaws.com instead of one cluster's OIDC issuer, so replacing the
    // management cluster touches no IAM trust policy, and it needs no role annotation on the
    // ServiceAccount Crossplane generates per provider revision. Cluster setup (outside this repo):
    // the Pod Identity agent add-on, a DeploymentRuntimeConfig giving the providers a fixed
    // ServiceAccount name, and a Pod Identity association of that name with the provider role.
    this.providerConfig = new ProviderConfig(this, 'provider-config', {
      metadata: crossplaneMetadata(config, names, names.crossplaneProviderConfig, 'providerConfig'),
      spec: { credentials: { source: ProviderConfigSpecCredentialsSource.POD_IDENTITY } },
    });

    this.createOnlyPolicy = this.renderCreateOnlyPolicy();
  }
  /**
   * A field AWS sets only at creation is silently left unapplied by the controllers when it changes in
   * git, while Argo CD shows the object Synced. This policy makes the API server refuse such a change
   * in the environment's namespace, so the sync fails with the field and the replacement procedure in
   * its message. Fields whose CRD already has an immutability rule are left to it.
   */
  private renderCreateOnlyPolicy(): ApiObject {
    const { config, names } = this;
    const name = createOnlyPolicyName(names);
    const guarded = CREATE_ONLY_KINDS.map((entry) => ({ ...entry, fields: entry.fields.filter((field) => !field.guardedByCrd) })).filter((entry) => entry.fields.length > 0);
    const groups = [...new Set(guarded.map((entry) => entry.group))].sort();
    const policy = new ApiObject(this, 'create-only-policy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: kubernetesMetadata(config, name, undefined, 'namespace'),
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': names.namespace } },
          resourceRules: groups.map((group) => ({
            apiGroups: [group],
            apiVersions: ['*'],
            operations: ['UPDATE'],
            resources: [...new Set(guarded.filter((entry) => entry.group === group).map((entry) => entry.plural))].sort(),
          })),
        },
        validations: guarded.flatMap((entry) =>
          entry.fields.map((field) => ({
            expression: `request.resource.group != '${entry.group}' || object.kind != '${entry.kind}' || (${celUnchangedOnceSet(field.path)})`,
            message: `${entry.kind} ${field.path} is create-only: AWS would keep the old value. To change it, ${entry.replacement}.`,
            reason: 'Invalid',
          })),
        ),
      },
    });
    ApiObject.of(policy).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    const binding = new ApiObject(this, 'create-only-policy-binding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: kubernetesMetadata(config, name, undefined, 'namespace'),
      spec: { policyName: name, validationActions: ['Deny'] },
    });
    binding.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    binding.addDependency(policy);
    return policy;
  }
}

/**
 * The names of the environment's ValidatingAdmissionPolicy and its binding (cluster-scoped, so the
 * AppProject admits them by name).
 */
export function createOnlyPolicyName(names: PlatformNames): string {
  return `${names.namespace}-create-only-fields`;
}
