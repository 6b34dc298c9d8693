import { Chart, Testing } from 'cdk8s';
import { EncryptedLogGroup } from '../../charts/constructs/EncryptedLogGroup';
import { platformProps, RenderedObject } from '../helpers/platform';

const RETENTION_VALUES = '1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653';

describe('EncryptedLogGroup', () => {
  test('keeps events for the config\'s logDays unless given its own retention', () => {
    const { config, names } = platformProps();
    const chart = new Chart(Testing.app(), 'test');
    new EncryptedLogGroup(chart, 'default', { config, names, objectName: 'log-default', logGroupName: '/aws/lambda/a' });
    new EncryptedLogGroup(chart, 'own', { config, names, objectName: 'log-own', logGroupName: '/aws/lambda/b', retentionDays: 365 });
    const retention = (Testing.synth(chart) as RenderedObject[]).map((object) => (object.spec as { retentionDays: number }).retentionDays);
    expect(retention).toEqual([config.retention.logDays, 365]);
  });

  test.each([
    ['its own retention', { retentionDays: 10 }, {}, `EncryptedLogGroup: props.retentionDays must be one of ${RETENTION_VALUES}, got 10`],
    // A config that skipped validation: the message must point at the config, not at a prop nobody set.
    ['the config\'s default', {}, { logDays: 4000 }, `EncryptedLogGroup: props.config.retention.logDays (the default of props.retentionDays) must be one of ${RETENTION_VALUES}, got 4000`],
  ])('refuses a retention CloudWatch Logs does not accept, naming where it came from: %s', (_case, props, retention, message) => {
    const base = platformProps();
    const config = { ...base.config, retention: { ...base.config.retention, ...retention } };
    expect(() => new EncryptedLogGroup(new Chart(Testing.app(), 'test'), 'log', { config, names: base.names, objectName: 'log', logGroupName: '/aws/lambda/a', ...props })).toThrow(
      new Error(message),
    );
  });
});
