import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planCapacity } from '../../charts/lib/capacity';
import { EnvironmentConfig } from '../../charts/lib/config';
import { listEnvironments } from '../../charts/lib/listEnvironments';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { PlatformNames } from '../../charts/lib/names';
import { PRICES, priceOf } from '../../charts/lib/prices';
import { alarmTable } from '../../charts/lib/alarmTable';
import { CostLine, MonthlyCost } from '../../scripts/lib/cost';
import { bucketWritesPerSensorMinute } from '../../scripts/lib/bucketWritesPerSensorMinute';
import { costLoad } from '../../scripts/lib/costLoad';
import { monthlyCost } from '../../scripts/lib/monthlyCost';
import { wruPerBucketWrite } from '../../scripts/lib/wruPerBucketWrite';
import { COST_USAGE, CostUsageError, parseCostArgs } from '../../scripts/lib/costArgs';
import { withCapacityOverrides } from '../../scripts/lib/withCapacityOverrides';
import { costSummaryLine } from '../../scripts/lib/costSummaryLine';
import { renderCost } from '../../scripts/lib/renderCost';
import { buildApp } from '../../main';
import { RenderedObject } from '../helpers/platform';

const projectRoot = join(__dirname, '..', '..');

/**
 * dev (hotDays 30, archiveYears 7, logDays 30, heartbeat 300 s, one recipient per topic) at a load small
 * enough to work out by hand: 60 sensors at 1/s, 6 readings of 90 B per message.
 *   readings/s 60, records/s 10, 6 x 90 + 250 = 790 B per record, one shard, 60 / 6 = 10 assets and devices.
 */
function small(): { config: EnvironmentConfig; cost: MonthlyCost } {
  const config = withCapacityOverrides(loadEnvironmentConfig('dev'), { sensors: 60, readingsPerSecondPerSensor: 1, readingsPerMessage: 6, bytesPerReading: 90, headroom: 2 });
  return { config, cost: monthlyCost(config, planCapacity(config)) };
}

function line(lines: readonly CostLine[], id: string): CostLine {
  const found = lines.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no cost line ${id}; have ${lines.map((l) => l.id).join(', ')}`);
  return found;
}

describe('monthlyCost, by hand', () => {
  it('prices IoT Core from devices, messages and presence events; no messaging with Basic Ingest', () => {
    const { cost } = small();
    // 10 devices x 43,800 min = 0.438 M minutes x $0.096 = $0.042048
    expect(line(cost.lines, 'iot.connectivity').usd).toBeCloseTo(0.042048, 6);
    // 10 messages/s x 2,628,000 s = 26,280,000 (790 B: one 5 KB unit) + 10 x 2 x 30.41667 = 608.33 presence events
    // = 26.28060833 M x $0.18 = $4.73051
    expect(line(cost.lines, 'iot.rules').usd).toBeCloseTo(4.73051, 5);
    expect(line(cost.lines, 'iot.actions').usd).toBeCloseTo(4.73051, 5);
    expect(cost.lines.filter((l) => l.id.startsWith('iot.messaging'))).toEqual([]);
    // Naive: 26.28 M messages x $1.50 (first billion) = $39.42
    expect(line(cost.naive.lines, 'iot.messaging.iot.messagingFirstBillion').usd).toBeCloseTo(39.42, 6);
  });

  it('prices Kinesis from the capacity plan: shard-hours, 7-day retention, 25 KB PUT payload units', () => {
    const { cost } = small();
    // 1 shard x 730 h x $0.03 = $21.90; retention 730 x $0.04 = $29.20
    expect(line(cost.lines, 'kinesis.shardHours').usd).toBeCloseTo(21.9, 6);
    expect(line(cost.lines, 'kinesis.retention').usd).toBeCloseTo(29.2, 6);
    // 26.28 M records x 1 unit (790 B < 25 KB) x $0.028 = $0.73584
    expect(line(cost.lines, 'kinesis.putUnits').usd).toBeCloseTo(0.73584, 6);
  });

  it('prices Lambda requests and arm64 GB-seconds from the per-record cost and the memory', () => {
    const { cost } = small();
    // processor: one poll a second on one shard = 2,628,000 requests x $0.20 / M = $0.5256
    expect(line(cost.lines, 'lambda.processorRequests').usd).toBeCloseTo(0.5256, 6);
    // 10 records/s x (0.1 + 0.05 x 6 = 0.4 ms) = 0.004 s/s x 1 GB x 2,628,000 s = 10,512 GB-s x $0.0000133334 = $0.1401607
    expect(line(cost.lines, 'lambda.processorDuration').usd).toBeCloseTo(0.1401607, 6);
    // storer: 600 records a minute fit one batch, so one invocation per 60 s = 43,800 x $0.20 / M = $0.00876
    expect(line(cost.lines, 'lambda.storerRequests').usd).toBeCloseTo(0.00876, 6);
    // (10 x 0.05 ms + 2 writes/s x 0.15625 ms) = 0.8125 ms/s x 2,628,000 s = 2,135.25 GB-s x $0.0000133334 = $0.0284706
    expect(line(cost.lines, 'lambda.storerDuration').usd).toBeCloseTo(0.0284706, 6);
  });

  it('prices DynamoDB writes from the storer batching and the item size, and storage over the TTL', () => {
    const { cost } = small();
    // 2 writes per sensor-minute (60 s window straddles two minutes) = 60 x 2 / 60 = 2 writes/s;
    // the first write holds ~30 readings (250 + 480 = 730 B: 1 WRU), the second 60 (250 + 960 = 1,210 B: 2 WRU): 1.5 WRU
    // 2 x 1.5 x 2,628,000 = 7,884,000 WRU x $0.9375 / M = $7.39125
    expect(line(cost.lines, 'dynamodb.readingsWrites').usd).toBeCloseTo(7.39125, 6);
    // naive: 60 readings/s x 1 WRU x 2,628,000 = 157.68 M x $0.9375 = $147.825
    expect(line(cost.naive.lines, 'dynamodb.readingsWrites').usd).toBeCloseTo(147.825, 6);
    // status: 10 / 300 s x 2,628,000 = 87,600 writes x 2 WRU (table + byLine) + 10 x 12 x 30.41667 = 3,650 thing links
    // = 178,850 WRU x $0.9375 / M = $0.16767
    expect(line(cost.lines, 'dynamodb.statusWrites').usd).toBeCloseTo(0.1676719, 6);
    // checkpoints: 200 + 300 x 6 = 2,000 B = 2 WRU; 10 / 60 s x 2 x 2,628,000 = 876,000 WRU x $0.9375 / M = $0.82125
    expect(line(cost.lines, 'dynamodb.checkpointWrites').usd).toBeCloseTo(0.82125, 6);
    // 60 sensors x 43,200 minutes x (1,210 + 100) B = 3,395,520,000 B + 10 assets x 3,100 B = 3,395,551,000 B
    // = 3.162353 GiB x $0.375 = $1.185882
    expect(line(cost.lines, 'dynamodb.storage').usd).toBeCloseTo(1.185882, 5);
  });

  it('prices point-in-time recovery on the size of every table, without the copy the byLine index keeps', () => {
    const { cost } = small();
    // readings 60 sensors x 43,200 minutes x 1,310 B = 3,395,520,000 B; asset status 10 x (400 + 100) = 5,000 B (its
    // byLine index is not backed up); detector state 10 x (200 + 300 x 6 + 100) = 21,000 B
    // = 3,395,546,000 B = 3.162349 GiB x $0.30 = $0.948705
    const pitr = line(cost.lines, 'dynamodb.pitr');
    expect(pitr.usd).toBeCloseTo(0.948705, 5);
    expect(pitr.resources).toEqual(['dynamodb-readings-dev', 'dynamodb-asset-status-dev', 'dynamodb-detector-state-dev']);
    // naive: the same three tables with a readings table of 60 readings/s x 86,400 s x 30 d x (120 + 100) B = 34,214,400,000 B
    // + 26,000 B = 34,214,426,000 B = 31.864667 GiB x $0.30 = $9.559400
    expect(line(cost.naive.lines, 'dynamodb.pitr').usd).toBeCloseTo(9.5594, 5);
    expect(PRICES.dynamodb.pitrGbMonth.usd).toBe(0.3);
  });

  it.each(listEnvironments())('prices storage for every table %s renders, and point-in-time recovery for every one that turns it on', (environment) => {
    const app = buildApp(environment, mkdtempSync(join(tmpdir(), `cost-tables-${environment}-`)));
    const tables = app.charts
      .flatMap((chart) => chart.toJson() as RenderedObject[])
      .filter((object) => object.kind === 'Table')
      .map((object) => object.spec as { tableName: string; continuousBackups?: { pointInTimeRecoveryEnabled?: boolean } });
    const rendered = tables.map((table) => table.tableName).sort();
    const withPitr = tables.filter((table) => table.continuousBackups?.pointInTimeRecoveryEnabled === true).map((table) => table.tableName).sort();
    expect(rendered.length).toBeGreaterThan(0);
    const config = loadEnvironmentConfig(environment);
    const cost = monthlyCost(config, planCapacity(config));
    for (const lines of [cost.lines, cost.naive.lines]) {
      expect([...(line(lines, 'dynamodb.storage').resources ?? [])].sort()).toEqual(rendered);
      expect([...(line(lines, 'dynamodb.pitr').resources ?? [])].sort()).toEqual(withPitr);
    }
  });

  it('prices Firehose per record rounded up to 5 KB and the archive along the lifecycle at steady state', () => {
    const { cost } = small();
    // 26,280,000 records x 5,120 B = 125.3128 GiB x $0.041 = $5.137825
    expect(line(cost.lines, 'firehose.ingested').usd).toBeCloseTo(5.137825, 5);
    // 7,900 B/s x 86,400 / 8 (GZIP) = 85,320,000 B/day = 0.07946044 GiB/day
    // Standard 30 days = 2.383813 GiB x $0.0405 = $0.0965444; Deep Archive ceil(7 x 365.25) - 180 = 2,377 days = 188.8775 GiB x $0.0032 = $0.6044079
    expect(line(cost.lines, 's3.STANDARD').usd).toBeCloseTo(0.0965444, 6);
    expect(line(cost.lines, 's3.DEEP_ARCHIVE').usd).toBeCloseTo(0.6044079, 6);
  });

  it('prices the archive along the tiers the config sets', () => {
    const { config } = small();
    const later = { ...config, retention: { ...config.retention, archiveTiers: { standardIaDays: 60, glacierInstantRetrievalDays: 365, deepArchiveDays: 730 } } };
    const cost = monthlyCost(later, planCapacity(later));
    expect(['s3.STANDARD', 's3.STANDARD_IA', 's3.GLACIER_IR', 's3.DEEP_ARCHIVE'].map((id) => line(cost.lines, id).item)).toEqual([
      'Standard, days 0-60',
      'Standard-IA, days 60-365',
      'Glacier IR, days 365-730',
      'Deep Archive, days 730-2557',
    ]);
  });

  it('counts the alarms the observability chart renders, by the metrics each reads', () => {
    const { config, cost } = small();
    const rows = alarmTable(config, new PlatformNames(config), planCapacity(config));
    expect(line(cost.lines, 'cloudwatch.alarms').item).toBe(`alarms (${rows.length})`);
    // 36 alarms: 19 read one metric (3 of them the query function's, 2 the dead-letter sends), 10 IoT queries
    // read one series, 3 table throttles read 2, 4 and 2, 2 stalled read 2, processor-stalled 5,
    // quarantine-rate 2: 48 metrics
    expect(rows.length).toBe(36);
    expect(line(cost.lines, 'cloudwatch.alarms').quantity).toBe(48);
    // 48 alarm metrics x $0.135 = $6.48
    expect(line(cost.lines, 'cloudwatch.alarms').usd).toBeCloseTo(48 * 0.135, 6);
  });

  it("prices the processor's enhanced fan-out consumer once registered, and its data and pushes once read through", () => {
    const { config } = small();
    const registered = { ...config, capacity: { ...config.capacity, processorFanOut: true } };
    const stage1 = monthlyCost(registered, planCapacity(registered));
    // 1 consumer x 1 shard x 730 h x $0.03 = $21.90, billed while it is registered; no data read through it yet
    expect(line(stage1.lines, 'kinesis.fanOutConsumer').usd).toBeCloseTo(21.9, 6);
    expect(stage1.lines.filter((l) => l.id === 'kinesis.fanOutData')).toEqual([]);
    expect(line(stage1.lines, 'lambda.processorRequests').usd).toBeCloseTo(0.5256, 6);

    const arn = `${new PlatformNames(config).processorConsumerArnPrefix}1796126400`;
    const readThrough = { ...registered, capacity: { ...registered.capacity, processorConsumerArn: arn, processorConsumerReadsFrom: '2026-12-01T12:00:00Z' } };
    const stage2 = monthlyCost(readThrough, planCapacity(readThrough));
    // 26,280,000 records x 790 B = 19.335374 GiB x $0.026 = $0.50272
    expect(line(stage2.lines, 'kinesis.fanOutData').usd).toBeCloseTo(0.50272, 5);
    // pushed about every 70 ms, but 10 records/s make at most 10 invocations: 26,280,000 x $0.20 / M = $5.256
    expect(line(stage2.lines, 'lambda.processorRequests').usd).toBeCloseTo(5.256, 6);
    expect(line(stage2.lines, 'kinesis.fanOutConsumer').usd).toBeCloseTo(21.9, 6);
  });

  it('prices the exposure of shards that keep moving apart from the total: a checkpoint per batch holding the asset', () => {
    const { cost } = small();
    const [moving, , ...others] = cost.exposures;
    expect(others).toEqual([]);
    expect(moving).toMatchObject({ kind: 'instead', replaces: 'dynamodb.checkpointWrites' });
    // 10 assets x min(1 message/s, 1 poll/s) x 2 WRU x 2,628,000 s = 52,560,000 WRU x $0.9375 / M = $49.275
    expect(moving?.line.usd).toBeCloseTo(49.275, 6);
    expect(cost.total).toBeCloseTo(cost.lines.reduce((sum, l) => sum + l.usd, 0), 9);

    // Ten messages per asset a second still make one checkpoint per batch, and one poll a second makes one batch.
    const { config } = small();
    const chatty = withCapacityOverrides(config, { readingsPerSecondPerSensor: 10 });
    const chattyCost = monthlyCost(chatty, planCapacity(chatty));
    expect(chattyCost.exposures[0]?.line.usd).toBeCloseTo(49.275, 6);
    expect(chattyCost.exposures[0]?.line.basis).toBe('10 assets x 1/s (a checkpoint per batch holding the asset) x 2 WRU');
  });

  it('writes a rarely sending asset\'s checkpoint and status once per message, not once per interval, and keeps the exposure at or above the line it replaces', () => {
    const { config } = small();
    // One message per asset every 1,000 s: the processor sees the asset (and can checkpoint it) only that often.
    const sparse = withCapacityOverrides(config, { readingsPerSecondPerSensor: 0.001 });
    const cost = monthlyCost(sparse, planCapacity(sparse));
    // 10 assets x min(0.001, 1/60)/s x 2 WRU x 2,628,000 s = 52,560 WRU x $0.9375 / M = $0.049275 (not $0.82125)
    const checkpoints = line(cost.lines, 'dynamodb.checkpointWrites');
    expect(checkpoints.usd).toBeCloseTo(0.049275, 9);
    expect(checkpoints.basis).toBe('10 assets x min(0.001 messages/s, 1 per 60 s) x 2 WRU (2000 B of state)');
    // Status: 10 x 0.001 x 2 WRU x 2,628,000 s = 52,560 WRU + thing links 10 x 12 x 30.41667 = 3,650 WRU = 56,210 x $0.9375 / M
    const status = line(cost.lines, 'dynamodb.statusWrites');
    expect(status.usd).toBeCloseTo(0.052696875, 9);
    expect(status.basis).toBe('10 assets x min(0.001 messages/s, 1 per 300 s heartbeat) x 2 WRU + thing links');
    // Moving shards cannot checkpoint an asset more often than it sends either: no saving, never a negative exposure.
    const [moving] = cost.exposures;
    expect((moving?.line.usd ?? Number.NaN) - checkpoints.usd).toBeCloseTo(0, 12);
    const exposure = renderCost(cost, sparse.sourceFile).find((entry) => entry.startsWith('    instead of '));
    expect(exposure).toBe('    instead of $0.05 (DynamoDB detector checkpoints): +$0.00/month; watch the dashboard\'s "processor shard handoffs" line (metric ShardHandoffs)');
  });

  it('makes every line quantity x unit price, and the total their sum', () => {
    const { cost } = small();
    for (const l of [...cost.lines, ...cost.naive.lines]) {
      expect(l.unitPrice).toBe(priceOf(l.priceKey).usd);
      expect(l.usd).toBeCloseTo(l.quantity * l.unitPrice, 9);
    }
    expect(cost.total).toBeCloseTo(cost.lines.reduce((sum, l) => sum + l.usd, 0), 9);
    expect(cost.ratio).toBeCloseTo(cost.naive.total / cost.total, 9);
    expect(PRICES.s3.standardGbMonth.usd).toBe(0.0405);
  });
});

describe('storer batching', () => {
  it('closes a batch at the 6 MB payload before the 60 s window when a shard carries prod rates', () => {
    const config = loadEnvironmentConfig('prod');
    const load = costLoad(config, planCapacity(config));
    // 1,500 records/s on 5 shards = 300 per shard; 970 B -> 1,294 B base64 + 500 B of event = 1,794 B;
    // 6,291,456 / 1,794 = 3,506 records = 11.687 s of a shard; 60 / 11.687 + 1 = 6.1341 writes per sensor-minute
    expect(load.storerRecordsPerInvocation).toBe(3506);
    expect(load.storerIntervalSeconds).toBeCloseTo(11.6867, 4);
    expect(load.bucketWritesPerSensorMinute).toBeCloseTo(6.1341, 4);
  });

  it('writes a sensor-minute at most as often as it has readings, and bills the growing item', () => {
    expect(bucketWritesPerSensorMinute(60, 60)).toBe(2);
    expect(bucketWritesPerSensorMinute(1, 60)).toBe(1);
    // 6,000 readings (100 Hz) in two writes: 250 + 48,000 B = 47.1 KB -> 48 WRU; 250 + 96,000 B -> 94 WRU
    expect(wruPerBucketWrite(6000, 2)).toBe(71);
  });
});

describe('cost report', () => {
  it('ends with the summary line', () => {
    const { config, cost } = small();
    const lines = renderCost(cost, config.sourceFile);
    expect(lines[lines.length - 1]).toBe(costSummaryLine(cost));
    expect(costSummaryLine(cost)).toMatch(/^cost dev: \$\d+\.\d{2}\/month \(60 sensors at 1\/s; naive design \$\d+\.\d{2}\/month, \d+\.\dx\)$/);
  });

  it('prints the exposure after the total, with the line it would replace and what to watch', () => {
    const { config, cost } = small();
    const lines = renderCost(cost, config.sourceFile);
    const heading = lines.indexOf('exposure, left out of the total (it depends on how AWS and the devices behave):');
    expect(heading).toBeGreaterThan(lines.findIndex((l) => l.startsWith('  total: ')));
    expect(lines[heading + 1]).toMatch(/^  DynamoDB +detector checkpoints, shards moving every batch +52\.56 million write request units +x \$0\.9375 += \$49\.28 +\(10 assets x 1\/s/);
    // $49.275 - $0.82125 = $48.45375
    expect(lines[heading + 2]).toBe(
      '    instead of $0.82 (DynamoDB detector checkpoints): +$48.45/month; watch the dashboard\'s "processor shard handoffs" line (metric ShardHandoffs)',
    );
  });

  it('prices a fleet-wide bad-data incident per hour on top of the total: both consumers quarantine every record, one S3 PUT each', () => {
    const { config, cost } = small();
    const incident = cost.exposures.find((exposure) => exposure.kind === 'per-incident-hour');
    // 10 records/s x 2 consumers x 3,600 s = 72,000 PUTs x $0.007 / thousand = $0.504
    expect(incident?.line.usd).toBeCloseTo(0.504, 9);
    expect(incident?.line.basis).toBe('10 records/s x 2 consumers (processor, storer) x 3,600 s');
    expect(cost.lines.map((l) => l.id)).not.toContain(incident?.line.id);
    const lines = renderCost(cost, config.sourceFile);
    const row = lines.findIndex((l) => l.includes('quarantine PUTs, every record refused (one hour)'));
    expect(lines[row + 1]).toBe('    on top of the total for every hour it lasts: +$0.50; watch the quarantine-rate alarm (records quarantined by the busier consumer)');
    // prod as committed: 1,500 records/s make 10.8 million PUTs an hour, $75.60.
    const prod = loadEnvironmentConfig('prod');
    const prodIncident = monthlyCost(prod, planCapacity(prod)).exposures.find((exposure) => exposure.kind === 'per-incident-hour');
    expect(prodIncident?.line.usd).toBeCloseTo(75.6, 9);
  });

  it('prints the last line of an environment from the command line', () => {
    const result = spawnSync(process.execPath, [join(projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(projectRoot, 'scripts', 'cost.ts'), '--env', 'dev', '--sensors', '60', '--readings-per-message', '6'], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    const last = result.stdout.trimEnd().split('\n').pop();
    expect(last).toBe(costSummaryLine(small().cost));
  });
});

describe('parseCostArgs', () => {
  it('reads the environment and the capacity overrides', () => {
    expect(parseCostArgs(['--env', 'dev', '--sensors', '500', '--rate', '0.5', '--readings-per-message=20', '--devices', '40'])).toEqual({
      environment: 'dev',
      capacity: { sensors: 500, readingsPerSecondPerSensor: 0.5, readingsPerMessage: 20 },
      devices: 40,
    });
    expect(parseCostArgs([])).toEqual({ environment: 'prod', capacity: {} });
  });

  it.each([
    [['--sensors', '0'], 'cost: --sensors: value "0" is not allowed; expected a whole number from 1 to 1000000'],
    [['--rate', 'fast'], 'cost: --rate: value "fast" is not allowed; expected a number from 0.001 to 100'],
    [['--readings-per-message', '501'], 'cost: --readings-per-message: value "501" is not allowed; expected a whole number from 1 to 500'],
    [['--sensors', '0x10'], 'cost: --sensors: value "0x10" is not allowed; expected a whole number from 1 to 1000000'],
    [['--sensors', '--rate', '1'], `cost: --sensors: missing value; ${COST_USAGE}`],
    [['--shards', '4'], `cost: --shards: unknown flag; ${COST_USAGE}`],
    [['prod'], `cost: "prod": unexpected argument; ${COST_USAGE}`],
    [['--env', 'staging'], 'cost: --env: value "staging" is not allowed; expected an environment of config/: dev, prod'],
    [['--env', '../config/dev'], 'cost: --env: value "../config/dev" is not allowed; expected an environment of config/: dev, prod'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCostArgs(argv)).toThrow(new CostUsageError(message));
  });
});

describe('cost --config-dir', () => {
  const tsxCli = join(projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

  /** A scratch copy of config/ with a third environment, qa: dev's file with its own suffix and 4,000 sensors. */
  function configWithQa(): string {
    const dir = join(mkdtempSync(join(tmpdir(), 'cost-config-dir-')), 'scratch');
    cpSync(join(projectRoot, 'config'), dir, { recursive: true });
    const qa = readFileSync(join(dir, 'dev.yaml'), 'utf8').replace('environment: dev', 'environment: qa').replace('suffix: dev', 'suffix: qa').replace('sensors: 2000', 'sensors: 4000');
    writeFileSync(join(dir, 'qa.yaml'), qa);
    return dir;
  }

  it('prices an environment of another config folder, named by its file there', () => {
    const dir = configWithQa();
    const result = spawnSync(process.execPath, [tsxCli, join(projectRoot, 'scripts', 'cost.ts'), '--env', 'qa', '--config-dir', dir], { cwd: projectRoot, encoding: 'utf8' });
    const qa = loadEnvironmentConfig('qa', dir);
    expect(qa.sourceFile).toBe('scratch/qa.yaml');
    expect({ status: result.status, stderr: result.stderr, last: result.stdout.trimEnd().split('\n').at(-1) }).toEqual({
      status: 0,
      stderr: '',
      last: costSummaryLine(monthlyCost(qa, planCapacity(qa))),
    });
  });

  it('names the folder as given when the environment is not in it, and a folder that does not exist', () => {
    const dir = configWithQa();
    expect(() => parseCostArgs(['--env', 'staging', '--config-dir', dir])).toThrow(
      new CostUsageError(`cost: --env: value "staging" is not allowed; expected an environment of ${dir}: dev, prod, qa`),
    );
    const missing = join(dir, 'nowhere');
    expect(() => parseCostArgs(['--config-dir', missing])).toThrow(
      new CostUsageError(`cost: --config-dir: ${missing}: no such folder; the configuration is one <environment>.yaml file per environment`),
    );
    expect(parseCostArgs(['--env', 'qa', '--config-dir', dir])).toEqual({ environment: 'qa', capacity: {}, configDir: dir });
  });
});

describe('capacity overrides', () => {
  const tsxCli = join(projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

  it('holds the overridden inputs to the 131,072-byte message bound of the config, naming the flags and the values', () => {
    const prod = loadEnvironmentConfig('prod');
    expect(() => withCapacityOverrides(prod, { readingsPerMessage: 500, bytesPerReading: 4096, sensors: 1000 })).toThrow(
      new CostUsageError(
        "cost: --readings-per-message 500 with --bytes-per-reading 4096: a message would be 2048000 bytes, over the 131072 bytes of the data contract (IoT Core's payload limit); at most 32 readings of 4096 bytes fit",
      ),
    );
    // One flag against the file's other input: the file's field is named with its file.
    expect(() => withCapacityOverrides(prod, { bytesPerReading: 4096 })).not.toThrow();
    const hundredPerMessage: EnvironmentConfig = { ...prod, capacity: { ...prod.capacity, readingsPerMessage: 100 } };
    expect(() => withCapacityOverrides(hundredPerMessage, { bytesPerReading: 4096 })).toThrow(
      new CostUsageError(
        "cost: capacity.readingsPerMessage 100 of config/prod.yaml with --bytes-per-reading 4096: a message would be 409600 bytes, over the 131072 bytes of the data contract (IoT Core's payload limit); at most 32 readings of 4096 bytes fit",
      ),
    );
    expect(withCapacityOverrides(prod, { readingsPerMessage: 32, bytesPerReading: 4096 }).capacity).toMatchObject({ readingsPerMessage: 32, bytesPerReading: 4096 });
  });

  it('exits 2 with that one line instead of pricing messages over the bound', () => {
    const result = spawnSync(process.execPath, [tsxCli, join(projectRoot, 'scripts', 'cost.ts'), '--readings-per-message', '500', '--bytes-per-reading', '4096', '--sensors', '1000'], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 2,
      stdout: '',
      stderr:
        "cost: --readings-per-message 500 with --bytes-per-reading 4096: a message would be 2048000 bytes, over the 131072 bytes of the data contract (IoT Core's payload limit); at most 32 readings of 4096 bytes fit\n",
    });
  });

  it.each([
    [
      // The refused value is the flag's: the flag is named, not the file, which says 12000.
      ['--sensors', '1000000', '--readings-per-message', '1'],
      "cost: --sensors: value 1000000 is not allowed; with capacity.readingsPerSecondPerSensor 1, readingsPerMessage 1, bytesPerReading 90 and headroom 2 the stream needs 2000 shards, over the platform's 200 (the processor and the storer each run one Lambda invocation per shard); at most 100000 sensors fit (inputs: --sensors 1000000 --readings-per-message 1, the rest from config/prod.yaml)\n",
    ],
    [
      // The refused value is the file's, refused because of the flags: the file is named, and the flags beside it.
      ['--rate', '20', '--readings-per-message', '1'],
      "cost: config/prod.yaml: capacity.sensors: value 12000 is not allowed; with capacity.readingsPerSecondPerSensor 20, readingsPerMessage 1, bytesPerReading 90 and headroom 2 the stream needs 480 shards, over the platform's 200 (the processor and the storer each run one Lambda invocation per shard); at most 5000 sensors fit (inputs: --rate 20 --readings-per-message 1, the rest from config/prod.yaml)\n",
    ],
  ])('a capacity plan refused for %j names the flags that gave its inputs, exit 2', (argv, stderr) => {
    const result = spawnSync(process.execPath, [tsxCli, join(projectRoot, 'scripts', 'cost.ts'), ...argv], { cwd: projectRoot, encoding: 'utf8' });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 2, stdout: '', stderr });
  });
});
