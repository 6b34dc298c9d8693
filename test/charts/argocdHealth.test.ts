import { readFileSync } from 'node:fs';
import { Testing } from 'cdk8s';
import { ACK_HEALTH_LUA_FILE, ACK_KINDS, ARGOCD_CONFIG_MAP, GitOpsBootstrapChart, healthCustomizationKey } from '../../charts/gitopsBootstrap';
import { runHealthScript } from '../helpers/luaHealth';
import { findObject, platformProps, RenderedObject } from '../helpers/platform';

/** Kubernetes' rule for ConfigMap keys (apimachinery IsConfigMapKey). */
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

const script = readFileSync(ACK_HEALTH_LUA_FILE, 'utf8');
const condition = (type: string, status: 'True' | 'False', message?: string): Record<string, string> => ({ type, status, ...(message === undefined ? {} : { message }) });
const ackObject = (kind: string, conditions?: Record<string, string>[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'lambda.services.k8s.aws/v1alpha1',
  kind,
  metadata: { name: 'x', namespace: 'telemetry-dev' },
  spec: { endpoint: 'ops@plant.example' },
  ...(conditions === undefined ? {} : { status: { conditions, ...extra } }),
});

describe('ACK health check (charts/argocd/ack-health.lua), run as Argo CD runs it', () => {
  test('no status yet: Progressing, so the next wave waits', () => {
    expect(runHealthScript(script, ackObject('Function'))).toEqual({ status: 'Progressing', message: 'Waiting for the ACK controller' });
  });

  test('ACK.ResourceSynced True, or Ready True on newer runtimes: Healthy', () => {
    expect(runHealthScript(script, ackObject('Function', [condition('ACK.ResourceSynced', 'True')]))).toEqual({ status: 'Healthy', message: 'Synced with AWS' });
    expect(runHealthScript(script, ackObject('Function', [condition('Ready', 'True')]))).toEqual({ status: 'Healthy', message: 'Synced with AWS' });
  });

  test('not synced yet: Progressing with the controller message', () => {
    expect(runHealthScript(script, ackObject('Function', [condition('ACK.ResourceSynced', 'False', 'function is Pending')]))).toEqual({ status: 'Progressing', message: 'function is Pending' });
    expect(runHealthScript(script, ackObject('Function', [condition('ACK.ResourceSynced', 'False'), condition('ACK.Recoverable', 'True', 'AccessDenied: iam:PassRole')]))).toEqual({
      status: 'Progressing',
      message: 'AccessDenied: iam:PassRole',
    });
  });

  test('ACK.Terminal True: Degraded with its message, even when an older condition says synced', () => {
    expect(runHealthScript(script, ackObject('Table', [condition('ACK.ResourceSynced', 'True'), condition('ACK.Terminal', 'True', 'ValidationException: bad key schema')]))).toEqual({
      status: 'Degraded',
      message: 'ValidationException: bad key schema',
    });
  });

  test('an e-mail subscription pending confirmation is Degraded, naming the recipient; confirmed it is Healthy', () => {
    expect(runHealthScript(script, ackObject('Subscription', [condition('ACK.ResourceSynced', 'True')], { pendingConfirmation: 'true' }))).toEqual({
      status: 'Degraded',
      message: 'Pending confirmation: ops@plant.example must follow the link SNS mailed (it expires after 3 days)',
    });
    expect(runHealthScript(script, ackObject('Subscription', [condition('ACK.ResourceSynced', 'True')], { pendingConfirmation: 'false' }))).toEqual({ status: 'Healthy', message: 'Synced with AWS' });
  });
});

describe('argocd-cm health customizations in the bootstrap', () => {
  const chart = new GitOpsBootstrapChart(Testing.app(), 'gitops-bootstrap', platformProps('dev'));
  const configMap = findObject(Testing.synth(chart) as RenderedObject[], 'ConfigMap', ARGOCD_CONFIG_MAP);
  const data = (configMap as unknown as { data: Record<string, string> }).data;

  test('one valid ConfigMap key per ACK kind, each holding the health script (a key with * is refused by Kubernetes)', () => {
    expect(Object.keys(data)).toEqual(ACK_KINDS.map(({ group, kind }) => healthCustomizationKey(group, kind)));
    expect(Object.keys(data).filter((key) => !CONFIG_MAP_KEY.test(key))).toEqual([]);
    expect(CONFIG_MAP_KEY.test('resource.customizations.health.services.k8s.aws_*')).toBe(false);
    expect(new Set(Object.values(data))).toEqual(new Set([script]));
    expect(data['resource.customizations.health.lambda.services.k8s.aws_Function']).toBe(script);
  });

  test("carries only Argo CD's own label, so server-side apply sets these keys and conflicts with no owner of the others", () => {
    expect(configMap.metadata).toEqual({ name: 'argocd-cm', namespace: 'argocd', labels: { 'app.kubernetes.io/part-of': 'argocd' } });
  });
});
