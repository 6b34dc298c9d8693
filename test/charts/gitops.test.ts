import { Testing } from 'cdk8s';
import { GitOpsChart } from '../../charts/gitops';
import { findObject, platformProps, RenderedObject } from '../helpers/platform';

function render(environment = 'dev'): RenderedObject[] {
  return Testing.synth(new GitOpsChart(Testing.app(), 'gitops', platformProps(environment))) as RenderedObject[];
}

describe('GitOpsChart', () => {
  const environment = render();

  test('renders the namespace, the ProviderConfig and the create-only-field policy', () => {
    expect(environment).toMatchSnapshot();
    expect(environment.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      'Namespace/telemetry-dev',
      'ProviderConfig/aws-dev',
      'ValidatingAdmissionPolicy/telemetry-dev-create-only-fields',
      'ValidatingAdmissionPolicyBinding/telemetry-dev-create-only-fields',
    ]);
  });

  test('the namespace is cluster-scoped metadata only, first wave, never pruned, pointing ACK at the environment region and not at CARM', () => {
    expect(findObject(environment, 'Namespace')).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'telemetry-dev',
        labels: {
          'app.kubernetes.io/part-of': 'plant-telemetry',
          'app.kubernetes.io/managed-by': 'cdk8s',
          'telemetry.plant/environment': 'dev',
          'pod-security.kubernetes.io/enforce': 'restricted',
        },
        annotations: {
          'argocd.argoproj.io/sync-wave': '-10',
          'argocd.argoproj.io/sync-options': 'Prune=false',
          'services.k8s.aws/default-region': 'sa-east-1',
        },
      },
    });
    // services.k8s.aws/owner-account-id would make every ACK reconcile wait for a role in the
    // ack-role-account-map ConfigMap (cross-account resource management), which nothing creates.
    expect(findObject(render('prod'), 'Namespace').metadata.annotations).not.toHaveProperty(['services.k8s.aws/owner-account-id']);
  });

  test('the ProviderConfig that crossplaneSpec() points at uses keyless EKS Pod Identity', () => {
    const providerConfig = findObject(environment, 'ProviderConfig', 'aws-dev');
    expect(providerConfig.apiVersion).toBe('aws.m.upbound.io/v1beta1');
    expect(providerConfig.metadata.namespace).toBe('telemetry-dev');
    expect(providerConfig.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-5' });
    expect(providerConfig.spec).toEqual({ credentials: { source: 'PodIdentity' } });
  });
});
