import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { TABLE_KEYS, THING_STATUS_KEY_PREFIX } from '../../functions/shared/constants';
import { IngestionChart } from '../../charts/ingestion';
import { StorageChart } from '../../charts/storage';
import { platformProps, RenderedObject } from '../helpers/platform';

const guide = readFileSync(join(__dirname, '..', '..', 'docs', 'devices.md'), 'utf8');
const THING_VARIABLE = '${iot:Connection.Thing.ThingName}';

function rendered(): { policyName: string; publishTopics: string[]; tables: string[] } {
  const app = Testing.app();
  const props = platformProps('dev');
  const ingestion = Testing.synth(new IngestionChart(app, 'ingestion', props)) as RenderedObject[];
  const storage = Testing.synth(new StorageChart(app, 'storage', props)) as RenderedObject[];
  const policy = ingestion.find((object) => object.kind === 'Policy' && object.apiVersion.startsWith('iot.aws.m.upbound.io'));
  if (policy === undefined) throw new Error('the ingestion chart renders no IoT policy');
  const document = JSON.parse((policy.spec as { forProvider: { policy: string } }).forProvider.policy) as { Statement: { Action: string[]; Resource: string[] }[] };
  const publishTopics = document.Statement.filter((statement) => statement.Action.includes('iot:Publish'))
    .flatMap((statement) => statement.Resource)
    .map((arn) => arn.replace(/^arn:aws:iot:[^:]+:\d+:topic\//, ''));
  const tables = storage.filter((object) => object.kind === 'Table').map((object) => (object.spec as { tableName: string }).tableName);
  return { policyName: policy.metadata.name, publishTopics, tables };
}

describe('docs/devices.md', () => {
  const { policyName, publishTopics, tables } = rendered();

  it('names the device policy the ingestion chart renders', () => {
    const named = [...new Set([...guide.matchAll(/--policy-name (\S+)/g), ...guide.matchAll(/"PolicyName\\?":\s*\\?"([a-z0-9-]+)\\?"/g)].map((match) => match[1] as string))];
    expect(named.filter((name) => name !== 'iot-claim-dev')).toEqual([policyName]);
    expect(guide).toContain('`iot-device-<suffix>`');
  });

  it('publishes only to topics the device policy allows, with the thing as the thing level', () => {
    const topics = [...new Set([...guide.matchAll(/\$aws\/rules\/[A-Za-z0-9_<>]+\/dt\/[^\s'"`)]+/g)].map((match) => match[0]))];
    const concrete = topics.filter((topic) => !topic.includes('<'));
    expect(concrete.length).toBeGreaterThan(0);
    for (const topic of concrete) {
      const levels = topic.split('/');
      levels[6] = THING_VARIABLE; // $aws, rules, rule, dt, plant, line, thing, telemetry
      expect(publishTopics).toContain(levels.join('/'));
    }
    expect(topics).toContain('$aws/rules/iot_telemetry_<suffix>/dt/<plant>/<line>/<thing>/telemetry');
    expect(publishTopics.every((topic) => topic.startsWith('$aws/rules/iot_telemetry_dev/'))).toBe(true);
  });

  it('reads the tables the storage chart renders, by their keys', () => {
    const named = [...new Set([...guide.matchAll(/--table-name (\S+)/g)].map((match) => match[1] as string))];
    expect(named.length).toBeGreaterThan(0);
    for (const table of named) expect(tables).toContain(table);
    const props = platformProps('dev');
    expect(named).toEqual(expect.arrayContaining([props.names.assetStatusTable, props.names.readingsTable]));
    expect(guide).toContain(`{"${TABLE_KEYS.assetStatus.partitionKey}":{"S":"${THING_STATUS_KEY_PREFIX}gw-0001"}}`);
    expect(guide).toContain(`{"${TABLE_KEYS.readings.partitionKey}":{"S":"pump-07#temperature"},"${TABLE_KEYS.readings.sortKey}":{"N":"1764417600000"}}`);
    expect(1764417600000 % 60_000).toBe(0);
  });

  it('shows the commands of each certificate option', () => {
    for (const command of ['aws iot register-ca-certificate', 'aws iot create-thing', 'aws iot attach-policy', 'aws iot attach-thing-principal', 'aws iot describe-endpoint --endpoint-type iot:Data-ATS', 'aws iot create-provisioning-template']) {
      expect(guide).toContain(command);
    }
  });
});
