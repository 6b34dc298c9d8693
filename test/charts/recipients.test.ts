import { createHash } from 'node:crypto';
import { Chart, Testing } from 'cdk8s';
import { EmailSubscription } from '../../charts/constructs/EmailSubscription';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { PlatformChartProps } from '../../charts/lib/PlatformChart';
import { RecipientsChart } from '../../charts/recipients';
import { platformProps, RenderedObject, synthChart } from '../helpers/platform';

const render = (environment = 'dev'): RenderedObject[] => synthChart((app, props) => new RecipientsChart(app, 'recipients', props), environment);
const renderWith = (props: PlatformChartProps): RenderedObject[] => Testing.synth(new RecipientsChart(Testing.app(), 'recipients', props)) as RenderedObject[];
const hash10 = (email: string): string => createHash('sha256').update(email).digest('hex').slice(0, 10);

describe('RecipientsChart', () => {
  test('renders one e-mail subscription per configured address, to the topics of the stream chart', () => {
    const objects = render();
    expect(objects).toMatchSnapshot();
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      `Subscription/sns-alerts-dev-email-${hash10('operations-dev@example.com')}`,
      `Subscription/sns-ops-dev-email-${hash10('platform-dev@example.com')}`,
    ]);
  });

  test('each configured address subscribes by e-mail to its topic, by reference', () => {
    const subscriptions = render('prod').map((object) => object.spec);
    expect(subscriptions).toEqual([
      { protocol: 'email', endpoint: 'operations@example.com', topicRef: { from: { name: 'sns-alerts-prod' } } },
      { protocol: 'email', endpoint: 'maintenance-oncall@example.com', topicRef: { from: { name: 'sns-alerts-prod' } } },
      { protocol: 'email', endpoint: 'platform-oncall@example.com', topicRef: { from: { name: 'sns-ops-prod' } } },
    ]);
  });

  test('subscriptions are in one wave, the last of the platform (their own Application has no other)', () => {
    const waves = render('prod').map((object) => object.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    expect(waves).toEqual(['5', '5', '5']);
  });

  test('subscription names do not change when the address list is reordered or grows', () => {
    const prod = loadEnvironmentConfig('prod');
    const names = (objects: readonly RenderedObject[]): string[] => objects.map((object) => object.metadata.name).sort();
    const before = names(render('prod'));
    const reordered = names(renderWith(platformProps('prod', { alerts: { ...prod.alerts, anomalyEmails: [...prod.alerts.anomalyEmails].reverse() } })));
    expect(reordered).toEqual(before);
    const grown = names(renderWith(platformProps('prod', { alerts: { ...prod.alerts, anomalyEmails: ['new@example.com', ...prod.alerts.anomalyEmails] } })));
    expect(grown).toEqual([...before, `sns-alerts-prod-email-${hash10('new@example.com')}`].sort());
  });

  test.each([
    ['an address that is not one', 'sns-alerts-dev', 'nobody', 'EmailSubscription: props.email must be an e-mail address, got "nobody"'],
    ['a topic object that makes no valid object name', 'Alerts_Topic', 'a@b.co', 'EmailSubscription: props.topicObject must make a valid Kubernetes object name, got "Alerts_Topic"'],
  ])('EmailSubscription refuses %s', (_case, topicObject, email, message) => {
    const { config, names } = platformProps();
    expect(() => new EmailSubscription(new Chart(Testing.app(), 'test'), 's', { config, names, topicObject, email })).toThrow(new Error(message));
  });
});
