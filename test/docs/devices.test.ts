import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { bucketStats } from '../../functions/shared/bucketStats';
import { TABLE_KEYS, THING_STATUS_KEY_PREFIX } from '../../functions/shared/constants';
import { parseKinesisRecord } from '../../functions/shared/parseKinesisRecord';
import { minuteOf } from '../../functions/storer/minuteOf';
import { IngestionChart } from '../../charts/ingestion';
import { StorageChart } from '../../charts/storage';
import { FLEET_LIMITS } from '../../scripts/lib/fleet/constants';
import { parseSimulateArgs } from '../../scripts/lib/fleet/parseSimulateArgs';
import { readManifests } from '../../scripts/lib/local/readManifests';
import { TopicRule } from '../../scripts/lib/local/TopicRule';
import { platformProps, RenderedObject } from '../helpers/platform';
import { kinesisRecord } from '../helpers/records';

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

/** The guide's `sh` blocks, their list indentation removed. */
function shellBlocks(): string[] {
  return [...guide.matchAll(/^( *)```sh\n([\s\S]*?)^ *```$/gm)].map(([, indent, body]) => (body as string).replace(new RegExp(`^${indent as string}`, 'gm'), ''));
}

function shellBlock(containing: string): string {
  const blocks = shellBlocks().filter((block) => block.includes(containing));
  expect(blocks).toHaveLength(1);
  return blocks[0] as string;
}

/**
 * Runs the guide's sample message block, then its readings-table check with a stand-in for the AWS CLI,
 * in one shell as the guide says: the message file, `$TS`, and the arguments `aws` was given.
 */
function runSample(): { message: unknown; ts: number; awsArgs: string[] } {
  const folder = mkdtempSync(join(tmpdir(), 'devices-doc-'));
  try {
    const stub = 'aws() { printf \'%s\\n\' "$@" > aws-args; }';
    const script = [shellBlock('cat > message.json'), stub, shellBlock('dynamodb-readings-'), 'printf %s "$TS"'].join('\n');
    const run = spawnSync('bash', ['-euc', script], { cwd: folder, encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([0, '']);
    return {
      message: JSON.parse(readFileSync(join(folder, 'message.json'), 'utf8')) as unknown,
      ts: Number(run.stdout),
      awsArgs: readFileSync(join(folder, 'aws-args'), 'utf8').trimEnd().split('\n'),
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
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
  });

  it('writes a sample message stamped now, which the rendered rule passes and the functions accept, and reads back its bucket', () => {
    const before = Date.now();
    const { message, ts, awsArgs } = runSample();
    const now = Date.now();

    // Published as the guide publishes it: its topic (Basic Ingest: the rule sees the topic without its
    // `$aws/rules/<rule>/` prefix) and its client id, the thing; enriched by the rendered telemetry rule.
    const published = /-t '\$aws\/rules\/([a-z0-9_]+)\/(dt\/[^']+)' -f message\.json/.exec(guide);
    expect(published).not.toBeNull();
    const [, ruleName, topic] = published as RegExpExecArray;
    const specs = readManifests(join(__dirname, '..', '..', 'manifests', 'dev'), 'dev').topicRules.filter((spec) => spec.name === ruleName);
    expect(specs).toHaveLength(1);
    const thing = (topic as string).split('/')[3] as string;
    const outcome = new TopicRule(specs[0]!).evaluate(Buffer.from(JSON.stringify(message)), { topic: topic as string, clientId: thing, timestamp: now });
    if (outcome.kind !== 'result') throw new Error(`the rendered rule ${ruleName} gives ${outcome.kind} for the sample message`);

    // What the processor and the storer both run first: a record that arrived now is telemetry, not quarantined.
    const parsed = parseKinesisRecord(kinesisRecord(outcome.result, { arrivedAt: now }), 0, now);
    if (parsed.kind !== 'telemetry') throw new Error(`the sample message is ${parsed.kind}: ${'detail' in parsed ? parsed.detail : ''}`);
    expect(parsed.message.readings.map((reading) => reading.metric)).toEqual(['temperature', 'pressure', 'vibration']);
    expect(parsed.message.readings.every((reading) => reading.ts === ts)).toBe(true);
    // Stamped when the block ran (`date +%s000`: whole seconds), not at a fixed date.
    expect(ts).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(ts).toBeLessThanOrEqual(now);

    // The check reads the minute the storer writes the reading to.
    expect(awsArgs.slice(0, 4)).toEqual(['dynamodb', 'get-item', '--table-name', platformProps('dev').names.readingsTable]);
    expect(awsArgs[4]).toBe('--key');
    expect(JSON.parse(awsArgs[5] as string)).toEqual({
      [TABLE_KEYS.readings.partitionKey]: { S: 'pump-07#temperature' },
      [TABLE_KEYS.readings.sortKey]: { N: String(minuteOf(ts)) },
    });
  });

  it('reads the shifted sum of a bucket as the storer writes it', () => {
    expect(guide).toContain('`sum` + `statsCount` × `shift`');
    const stats = bucketStats([71.3], ['GOOD']);
    expect(guide).toContain(`\`shift\` is ${stats.shift} and \`sum\` ${stats.sum}`);
    expect(guide).toContain(`${stats.sum} + ${stats.statsCount} × ${stats.shift} = 71.3`);
    // The rule the guide states, on minutes with a spread.
    const values = [71.3, 71.5, 71.9, 70.8];
    for (const count of [2, 3, 4]) {
      const minute = bucketStats(values.slice(0, count), values.slice(0, count).map(() => 'GOOD' as const));
      expect(minute.sum + minute.statsCount * minute.shift).toBeCloseTo(values.slice(0, count).reduce((sum, value) => sum + value, 0), 6);
    }
  });

  it('rehearses a fleet against IoT Core with a simulate command line the simulator takes, at the connect rate it says', () => {
    const line = shellBlock('npm run simulate').trim();
    const args = line.replace(/^npm run simulate -- /, '').replace('<endpoint>', 'abc123-ats.iot.sa-east-1.amazonaws.com').split(/\s+/);
    expect(parseSimulateArgs(args, ['dev'])).toMatchObject({ environment: 'dev', port: 8883, devices: 100, connectRate: FLEET_LIMITS.iotConnectRate });
    expect(guide).toContain(`spaces the fleet's CONNECTs at ${FLEET_LIMITS.iotConnectRate} a second by default (\`--connect-rate\`)`);
    expect(guide).toContain(`at most ${FLEET_LIMITS.maxPublishesPerSecond} publishes a second per connection`);
  });

  it('shows the commands of each certificate option', () => {
    for (const command of ['aws iot register-ca-certificate', 'aws iot create-thing', 'aws iot attach-policy', 'aws iot attach-thing-principal', 'aws iot describe-endpoint --endpoint-type iot:Data-ATS', 'aws iot create-provisioning-template']) {
      expect(guide).toContain(command);
    }
  });
});
