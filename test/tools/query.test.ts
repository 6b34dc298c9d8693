import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadEnvironmentConfig } from '../../charts/lib/loadEnvironmentConfig';
import { PlatformNames } from '../../charts/lib/names';
import { StatusStore } from '../../functions/processor/StatusStore';
import { createBreakers } from '../../functions/shared/createBreakers';
import { Deadline } from '../../functions/shared/Deadline';
import { QueryInputError } from '../../functions/shared/errors';
import { localEndpointsPath } from '../../scripts/lib/localEndpointsPath';
import { removeLocalEndpoints } from '../../scripts/lib/removeLocalEndpoints';
import { writeLocalEndpoints } from '../../scripts/lib/writeLocalEndpoints';
import { parseQueryArgs } from '../../scripts/lib/queryArgs';
import { createTables, CREDENTIALS, setAwsTestEnvironment, startDynalite, testDynamoClient, type Emulator } from '../helpers/emulators';
import { realStorer } from '../helpers/realStorer';
import { lambdaContext, telemetry } from '../helpers/records';

const REPOSITORY = join(__dirname, '..', '..');
const names = new PlatformNames(loadEnvironmentConfig('dev'));
const DAY = 86_400_000;
const MINUTE = 60_000;
const BASE = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
const iso = (t: number): string => new Date(t).toISOString();

describe('parseQueryArgs', () => {
  const usage =
    'usage: query --env <env> (--asset A [--metric M] | --line L [--metric M]) --from <ISO|epoch ms|-6h> [--to ...] [--step 1m|5m|15m|1h|1d|raw] [--agg avg,max] [--format table|csv|json] [--plot out.svg] [--local]';
  test.each([
    [['--asset', 'pump-07'], `--env is required; ${usage}`],
    [['--env', 'dev'], `give exactly one of --asset and --line; ${usage}`],
    [['--env', 'dev', '--asset', 'a', '--line', 'l'], `give exactly one of --asset and --line; ${usage}`],
    [['--env', 'dev', '--asset', 'a', '--format', 'xml'], '--format must be one of table, csv, json, got "xml"'],
    [['--env', 'dev', '--asset', 'a', '--plot', 'out.png'], '--plot must name an .svg file, got "out.png"'],
    [['--env', 'dev', '--asset', 'a', '--colour'], `Unknown option '--colour'; ${usage}`],
    [['--env', 'dev', '--line', 'l', '--from', '-6h'], '--line with --from needs --metric (one metric of every asset of the line); --line alone lists the assets'],
    // Refused as `--agg ,avg` is (below), not read as the default: an empty value is a mistake on a command line.
    [['--env', 'dev', '--asset', 'a', '--from', '-6h', '--agg', ''], '--agg must be a comma-separated list of avg, min, max, sum, count, stddev, got ""'],
    [['--env', 'dev', '--asset', 'a', '--from', '-6h', '--step='], '--step must be one of 1m, 5m, 15m, 1h, 1d, raw, got ""'],
    // The read path takes `to=` as now; on a command line it is an unset variable, not a wish for now.
    [['--env', 'dev', '--asset', 'a', '--from', '-6h', '--to', ''], '--to must be ISO 8601 with a zone (2026-01-01T00:00:00Z), epoch ms, now, or -<n><s|m|h|d> (-6h), got ""'],
    [['--env', 'dev', '--asset', 'a', '--metric', 'm', '--from='], '--from must be ISO 8601 with a zone (2026-01-01T00:00:00Z), epoch ms, now, or -<n><s|m|h|d> (-6h), got ""'],
  ])('%j is refused with one line naming the flag', (args, message) => {
    expect(() => parseQueryArgs(args)).toThrow(QueryInputError);
    expect(() => parseQueryArgs(args)).toThrow(new Error(message));
  });

  test('reads the series flags as given, for the shared parser to check', () => {
    expect(parseQueryArgs(['--env', 'prod', '--asset', 'pump-07', '--from', '-6h', '--step', '5m', '--agg', 'avg,max', '--format', 'csv', '--plot', 'o.svg'])).toEqual({
      environment: 'prod',
      target: { kind: 'asset', assetId: 'pump-07' },
      series: { assetId: 'pump-07', from: '-6h', step: '5m', agg: 'avg,max' },
      format: 'csv',
      plotPath: 'o.svg',
      local: false,
    });
    expect(parseQueryArgs(['--env', 'dev', '--line', 'line-a', '--local'])).toMatchObject({ local: true });
  });

  test('--plot into a missing folder, or onto a directory, is refused with the arguments, before anything is read', () => {
    const folder = mkdtempSync(join(tmpdir(), 'query-plot-'));
    mkdirSync(join(folder, 'taken.svg'));
    writeFileSync(join(folder, 'file'), '');
    const refusal = (plot: string): string => {
      try {
        parseQueryArgs(['--env', 'dev', '--asset', 'pump-07', '--from', '-1h', '--plot', plot]);
        return 'no error';
      } catch (error) {
        return `${(error as QueryInputError).parameter}: ${(error as Error).message}`;
      }
    };
    const missing = join(folder, 'missing', 'q.svg');
    expect(refusal(missing)).toBe(`--plot: --plot must name an .svg file in an existing folder, got ${JSON.stringify(missing)} (${join(folder, 'missing')} is not a folder)`);
    const underFile = join(folder, 'file', 'q.svg');
    expect(refusal(underFile)).toBe(`--plot: --plot must name an .svg file in an existing folder, got ${JSON.stringify(underFile)} (${join(folder, 'file')} is not a folder)`);
    expect(refusal(join(folder, 'taken.svg'))).toBe(`--plot: --plot must name an .svg file, got ${JSON.stringify(join(folder, 'taken.svg'))}, which is a directory`);
    expect(refusal(join(folder, 'new.svg'))).toBe('no error');
  });
});

describe('npm run query against dynalite (AWS_ENDPOINT_URL_DYNAMODB)', () => {
  let dynalite: Emulator;
  let dynamodb: DynamoDBClient;
  const outdir = mkdtempSync(join(tmpdir(), 'query-cli-'));

  beforeAll(async () => {
    dynalite = await startDynalite();
    setAwsTestEnvironment({ dynamodb: dynalite.endpoint });
    dynamodb = testDynamoClient(dynalite.endpoint);
    mkdirSync(join(outdir, 'taken.svg'));
    await createTables(dynamodb, { readings: names.readingsTable, assetStatus: names.assetStatusTable });
    await realStorer(dynamodb, names.readingsTable, BASE + DAY).store(
      Array.from({ length: 10 }, (_, minute) =>
        telemetry({ assetId: 'pump-07', readings: [{ metric: 'temperature', value: 70 + minute, ts: BASE + minute * MINUTE }, { metric: 'pressure', value: 2, ts: BASE + minute * MINUTE, quality: 'UNCERTAIN' }] }),
      ),
    );
    const status = new StatusStore({ doc: DynamoDBDocumentClient.from(dynamodb), tableName: names.assetStatusTable, breaker: createBreakers(['dynamodb'] as const).dynamodb });
    await status.writeAssetStatus(
      { assetId: 'pump-07', plantId: 'sp01', lineId: 'line-a', thingName: 'gw-01', status: 'OK', lastSeen: BASE, lastReadingTs: BASE, updatedAt: BASE, metrics: ['pressure', 'temperature'] },
      new Deadline(lambdaContext()),
    );
    // A second asset of the line without a temperature sensor: a line-wide request skips it.
    await status.writeAssetStatus(
      { assetId: 'press-02', plantId: 'sp01', lineId: 'line-a', thingName: 'gw-02', status: 'ANOMALY', lastSeen: BASE, lastReadingTs: BASE, updatedAt: BASE, metrics: ['pressure'] },
      new Deadline(lambdaContext()),
    );
  });

  afterAll(async () => {
    dynamodb.destroy();
    await dynalite.stop();
  });

  /** Runs the CLI in a child process; asynchronously, so this process keeps serving dynalite. */
  function run(
    args: string[],
    through: 'endpoint variable' | 'local pipeline' | 'no endpoint' = 'endpoint variable',
    extra: NodeJS.ProcessEnv = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    // No NODE_NO_WARNINGS: the tool itself keeps the SDK's Node.js 20 warning off its one-line stderr.
    const { AWS_ENDPOINT_URL_DYNAMODB: _inherited, ...inherited } = process.env;
    const credentials = { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey };
    const env =
      through === 'endpoint variable'
        ? { ...inherited, AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint, ...credentials }
        : through === 'no endpoint'
          ? // Nothing listens on port 1: any request fails (exit 1), so an exit 2 was decided before the first one.
            { ...inherited, AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1', ...credentials }
          : // No credentials, no endpoint: --local must find both itself.
            { ...inherited, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'no-such-profile' };
    return new Promise((resolve) => {
      execFile(process.execPath, [require.resolve('tsx/cli'), join(__dirname, '..', '..', 'scripts', 'query.ts'), ...args], { env: { ...env, ...extra } }, (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  test('one sensor, 5-minute step, csv, with a plot; the summary line on stderr', async () => {
    const plot = join(outdir, 'pump.svg');
    const result = await run(['--env', 'dev', '--asset', 'pump-07', '--metric', 'temperature', '--from', iso(BASE), '--to', String(BASE + 10 * MINUTE), '--step', '5m', '--agg', 'avg,max', '--format', 'csv', '--plot', plot]);
    expect(result.stdout).toBe(['assetId,metric,t,avg,max', `pump-07,temperature,${iso(BASE)},72,74`, `pump-07,temperature,${iso(BASE + 5 * MINUTE)},77,79`, ''].join('\n'));
    expect(result.stderr).toMatch(/^query: 1 series, 2 points, 10 DynamoDB items read \(\d+(\.5)? read units\), \d+ ms\n$/);
    expect(result.code).toBe(0);
    expect(readFileSync(plot, 'utf8')).toMatch(/^<svg [^]*pump-07 temperature[^]*<\/svg>\n$/);
  }, 60_000);

  test('a range without points keeps the columns of the request: the same header with data or without', async () => {
    const empty = ['--env', 'dev', '--asset', 'pump-07', '--metric', 'temperature', '--from', iso(BASE - DAY), '--to', iso(BASE - DAY + 10 * MINUTE)];
    expect((await run([...empty, '--step', '1m', '--format', 'csv'])).stdout).toBe('assetId,metric,t,avg,min,max,count\n');
    expect((await run([...empty, '--step', '5m', '--agg', 'count,max', '--format', 'csv'])).stdout).toBe('assetId,metric,t,max,count\n');
    expect((await run([...empty, '--step', 'raw', '--format', 'csv'])).stdout).toBe('assetId,metric,t,value,quality\n');
    const table = await run([...empty, '--step', '1m']);
    expect(table.stdout).toBe(`pump-07 temperature  [${iso(BASE - DAY)}, ${iso(BASE - DAY + 10 * MINUTE)})  step 1m  0 points\nt  avg  min  max  count\n`);
    expect(table.code).toBe(0);
  }, 60_000);

  test('a range that reaches back before the hot tier\'s start says so on stderr and names the archive: an empty answer there is not a silent sensor', async () => {
    const config = loadEnvironmentConfig('dev');
    const old = BASE - (config.retention.hotDays + 10) * DAY;
    const before = await run(['--env', 'dev', '--asset', 'pump-07', '--metric', 'temperature', '--from', iso(old), '--to', iso(old + 10 * MINUTE), '--step', '5m', '--format', 'csv']);
    expect(before.code).toBe(0);
    expect(before.stdout).toBe('assetId,metric,t,avg,min,max,count\n');
    const lines = before.stderr.split('\n');
    expect(lines[0]).toMatch(/^query: 1 series, 0 points, 0 DynamoDB items read/);
    const start = /the hot tier's start (\S+) /.exec(lines[1] ?? '')?.[1] ?? '';
    // The oldest minute the table holds for sure: retention.hotDays before the run, cut to the minute.
    expect(Date.now() - Date.parse(start)).toBeGreaterThanOrEqual(config.retention.hotDays * DAY);
    expect(Date.now() - Date.parse(start)).toBeLessThan(config.retention.hotDays * DAY + 5 * MINUTE);
    expect(lines[1]).toBe(
      `query: --from ${iso(old)} is before the hot tier's start ${start} (retention.hotDays ${config.retention.hotDays} in config/dev.yaml): readings before it may have expired, so the series can thin out or stop there; they are in the archive: Athena workgroup ${names.athenaWorkgroup}, database ${names.glueDatabase} (docs/queries.md, "The archive: Athena")`,
    );
    expect(lines.slice(2)).toEqual(['']);
    // Within the hot tier: the summary line alone.
    const within = await run(['--env', 'dev', '--asset', 'pump-07', '--metric', 'temperature', '--from', iso(BASE), '--to', iso(BASE + 10 * MINUTE), '--step', '5m', '--format', 'csv']);
    expect(within.stderr.split('\n')).toHaveLength(2);
  }, 60_000);

  test('--plot is written in the folder npm was started in (INIT_CWD), and named as given', async () => {
    const user = mkdtempSync(join(tmpdir(), 'query-user-'));
    const result = await run(
      ['--env', 'dev', '--asset', 'pump-07', '--metric', 'temperature', '--from', iso(BASE), '--to', iso(BASE + 10 * MINUTE), '--step', '5m', '--format', 'csv', '--plot', 'pump.svg'],
      'endpoint variable',
      { INIT_CWD: user },
    );
    expect(result.code).toBe(0);
    expect(readFileSync(join(user, 'pump.svg'), 'utf8')).toMatch(/^<svg [^]*pump-07 temperature/);
    expect(existsSync(join(REPOSITORY, 'pump.svg'))).toBe(false);
    rmSync(user, { recursive: true });
  }, 60_000);

  test('a reader that closes stderr early (2>&1 | head) ends the run quietly: exit 0, no stack trace', async () => {
    // stdout to a file, stderr (the summary line) into `head -0`, which exits before the tool writes.
    const out = join(outdir, 'closed-stderr.csv');
    const tsx = join(REPOSITORY, 'node_modules', '.bin', 'tsx');
    const query = ['--env', 'dev', '--asset', 'pump-07', '--metric', 'temperature', '--from', iso(BASE), '--to', iso(BASE + 10 * MINUTE), '--step', '5m', '--format', 'csv'];
    const env = { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey };
    const status = await new Promise<string>((done) => {
      execFile('bash', ['-c', `"${tsx}" scripts/query.ts ${query.join(' ')} 2>&1 >"${out}" | head -0; echo "\${PIPESTATUS[0]}"`], { cwd: REPOSITORY, env }, (_error, stdout) => done(stdout.trim()));
    });
    expect(status).toBe('0');
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('assetId,metric,t,avg,min,max,count');
  }, 60_000);

  test('--asset alone reads every metric of the asset (from its status item); json is the function\'s body per series', async () => {
    const result = await run(['--env', 'dev', '--asset', 'pump-07', '--from', iso(BASE), '--to', iso(BASE + 10 * MINUTE), '--step', '1h', '--agg', 'count', '--format', 'json']);
    expect(JSON.parse(result.stdout)).toEqual([
      { assetId: 'pump-07', metric: 'pressure', from: BASE, to: BASE + 10 * MINUTE, step: '1h', points: [{ t: BASE, count: 10 }] },
      { assetId: 'pump-07', metric: 'temperature', from: BASE, to: BASE + 10 * MINUTE, step: '1h', points: [{ t: BASE, count: 10 }] },
    ]);
  }, 60_000);

  test('--line alone lists the line\'s assets as a table', async () => {
    const result = await run(['--env', 'dev', '--line', 'line-a']);
    expect(result.stdout.split('\n')[0]).toMatch(/^assetId\s+status\s+lastSeen\s+metrics$/);
    expect(result.stdout).toContain('pump-07');
    expect(result.stdout).toContain('pressure temperature');
    expect(result.stdout).toMatch(/press-02\s+ANOMALY/);
  }, 60_000);

  test('--line with --metric reads that metric of every asset of the line (through the status table\'s line index)', async () => {
    const result = await run(['--env', 'dev', '--line', 'line-a', '--metric', 'pressure', '--from', iso(BASE), '--to', iso(BASE + 10 * MINUTE), '--step', '5m', '--agg', 'count,avg', '--format', 'csv']);
    // press-02 has the metric but no data in the range (no points); pump-07's pressure readings are UNCERTAIN, which count.
    expect(result.stdout).toBe(['assetId,metric,t,avg,count', `pump-07,pressure,${iso(BASE)},2,5`, `pump-07,pressure,${iso(BASE + 5 * MINUTE)},2,5`, ''].join('\n'));
    expect(result.stderr).toMatch(/^query: 2 series, 2 points, /);
    const temperature = await run(['--env', 'dev', '--line', 'line-a', '--metric', 'temperature', '--from', iso(BASE), '--to', iso(BASE + 10 * MINUTE), '--step', '1h', '--agg', 'max', '--format', 'json']);
    // press-02 has no temperature sensor: left out, not an error.
    expect(JSON.parse(temperature.stdout)).toEqual([{ assetId: 'pump-07', metric: 'temperature', from: BASE, to: BASE + 10 * MINUTE, step: '1h', points: [{ t: BASE, max: 79 }] }]);
    expect(temperature.code).toBe(0);
  }, 60_000);

  test.each([
    ['step', ['--from', '-6h', '--step', '2m'], 'query: --step must be one of 1m, 5m, 15m, 1h, 1d, raw, got "2m"\n'],
    ['range (to before from)', ['--from', '2026-01-02T00:00:00Z', '--to', '2026-01-01T00:00:00Z'], 'query: --to must be after --from (the range is [from, to)), got from 2026-01-02T00:00:00.000Z and to 2026-01-01T00:00:00.000Z\n'],
    ['range (a time without zone)', ['--from', '2026-01-01T00:00:00'], 'query: --from must be ISO 8601 with a zone (2026-01-01T00:00:00Z), epoch ms, now, or -<n><s|m|h|d> (-6h), got "2026-01-01T00:00:00"\n'],
    ['range (over a quarter)', ['--from', '-94d', '--step', '1d'], 'query: --from/--to must cover at most 93 days, got 94 days; older history is in the archive (Athena)\n'],
    ['range (raw over a day)', ['--from', '-25h', '--step', 'raw'], 'query: --step raw covers at most 24 hours (86400000 ms), the range is 90000000 ms; narrow --from/--to or use a step\n'],
    ['aggregate', ['--from', '-6h', '--agg', 'avg,median'], 'query: --agg must be a comma-separated list of avg, min, max, sum, count, stddev, got "median"\n'],
    ['aggregate of raw readings', ['--from', '-6h', '--step', 'raw', '--agg', 'max'], 'query: --agg does not apply to --step raw, which returns the readings themselves; leave it out or use a step\n'],
    ['aggregate (an empty name)', ['--from', '-6h', '--agg', ',avg'], 'query: --agg must be a comma-separated list of avg, min, max, sum, count, stddev, got ""\n'],
    ['aggregate (empty)', ['--from', '-6h', '--agg', ''], 'query: --agg must be a comma-separated list of avg, min, max, sum, count, stddev, got ""\n'],
  ])('exit 2 with one line naming the flag for a bad %s', async (_case, extra, message) => {
    const result = await run(['--env', 'dev', '--asset', 'pump-07', '--metric', 'temperature', ...extra]);
    expect(result).toEqual({ code: 2, stdout: '', stderr: message });
  }, 60_000);

  test.each([
    ['metric', ['--asset', 'pump-07', '--metric', 'flow'], 'query: --metric flow: asset pump-07 has no such metric; its metrics are pressure, temperature\n'],
    ['asset', ['--asset', 'pump-99', '--metric', 'temperature'], 'query: --asset pump-99: no such asset (it has no asset-status item)\n'],
    ['asset (every metric)', ['--asset', 'pump-99'], 'query: --asset pump-99: no such asset (it has no asset-status item)\n'],
  ])('exit 2 with one line naming the flag for an unknown %s', async (_case, target, message) => {
    const result = await run(['--env', 'dev', ...target, '--from', iso(BASE - DAY), '--to', iso(BASE - DAY + MINUTE)]);
    expect(result).toEqual({ code: 2, stdout: '', stderr: message });
  }, 60_000);

  test('--line with a metric no asset of the line has is exit 2 naming the metrics its assets have; a line without assets yet is an empty answer', async () => {
    const range = ['--from', iso(BASE), '--to', iso(BASE + 10 * MINUTE)];
    expect(await run(['--env', 'dev', '--line', 'line-a', '--metric', 'nope', ...range])).toEqual({
      code: 2,
      stdout: '',
      stderr: "query: --metric nope: no asset of line line-a has such a metric; its assets' metrics are pressure, temperature\n",
    });
    // line-b is declared in config/dev.yaml but no asset has reported on it.
    const plot = join(outdir, 'empty-line.svg');
    const empty = await run(['--env', 'dev', '--line', 'line-b', '--metric', 'nope', ...range, '--format', 'json', '--plot', plot]);
    expect(empty.stdout).toBe('[]\n');
    expect(empty.stderr).toMatch(new RegExp(`^query: 0 series, 0 points, 0 DynamoDB items read \\(0 read units\\), \\d+ ms\nquery: no series to plot; ${plot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} not written\n$`));
    expect(empty.code).toBe(0);
    expect(existsSync(plot)).toBe(false);
  }, 60_000);

  test.each([
    ['a line the config does not declare', ['--line', 'nope'], 'query: --line nope: dev has no such line; its lines are line-a, line-b (config/dev.yaml plant.lines)\n'],
    ['a line the config does not declare, with a series', ['--line', 'line-z', '--metric', 'temperature', '--from', '-1h'], 'query: --line line-z: dev has no such line; its lines are line-a, line-b (config/dev.yaml plant.lines)\n'],
    ['a bad --from of a line-wide series', ['--line', 'line-a', '--metric', 'temperature', '--from', 'garbage'], 'query: --from must be ISO 8601 with a zone (2026-01-01T00:00:00Z), epoch ms, now, or -<n><s|m|h|d> (-6h), got "garbage"\n'],
    ['a bad --to with --line alone', ['--line', 'line-a', '--plot', '/tmp/q2.svg', '--step', '5m', '--agg', 'median', '--to', 'garbage'], 'query: --to must be ISO 8601 with a zone (2026-01-01T00:00:00Z), epoch ms, now, or -<n><s|m|h|d> (-6h), got "garbage"\n'],
    ['a bad --agg with --line alone', ['--line', 'line-a', '--agg', 'median'], 'query: --agg must be a comma-separated list of avg, min, max, sum, count, stddev, got "median"\n'],
    ['a bad --step with --line alone', ['--line', 'line-a', '--step', '2m'], 'query: --step must be one of 1m, 5m, 15m, 1h, 1d, raw, got "2m"\n'],
    [
      'series flags with --line alone',
      ['--line', 'line-a', '--plot', '/tmp/q2.svg', '--step', '5m', '--agg', 'max', '--to', '-1h'],
      'query: --to "-1h", --step "5m", --agg "max", --plot "/tmp/q2.svg": --line without --from lists the line\'s assets and takes no series flags (--metric, --to, --step, --agg, --plot); add --from and --metric to read a series, or drop them\n',
    ],
    [
      '--metric with --line alone',
      ['--line', 'line-a', '--metric', 'temperature'],
      'query: --metric "temperature": --line without --from lists the line\'s assets and takes no series flags (--metric, --to, --step, --agg, --plot); add --from and --metric to read a series, or drop them\n',
    ],
    ['--plot into a missing folder', ['--asset', 'pump-07', '--metric', 'temperature', '--from', '-1h', '--plot', '/no-such-folder/q.svg'], 'query: --plot must name an .svg file in an existing folder, got "/no-such-folder/q.svg" (/no-such-folder is not a folder)\n'],
    ['--plot onto a directory', ['--asset', 'pump-07', '--from', '-1h', '--plot', join(outdir, 'taken.svg')], `query: --plot must name an .svg file, got ${JSON.stringify(join(outdir, 'taken.svg'))}, which is a directory\n`],
  ])('exit 2 before any request for %s', async (_case, args, message) => {
    expect(await run(['--env', 'dev', ...args], 'no endpoint')).toEqual({ code: 2, stdout: '', stderr: message });
  }, 60_000);

  test('an unknown line is refused before --local looks for the pipeline', async () => {
    expect(await run(['--env', 'dev', '--local', '--line', 'nope'], 'local pipeline')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'query: --line nope: dev has no such line; its lines are line-a, line-b (config/dev.yaml plant.lines)\n',
    });
  }, 60_000);

  describe('--local: the tables of the running local pipeline (`npm run local` writes .local/<env>/endpoints.json)', () => {
    const path = localEndpointsPath('dev', REPOSITORY);
    let saved: string | undefined;
    beforeAll(() => {
      saved = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    });
    afterAll(() => {
      if (saved === undefined) removeLocalEndpoints('dev', REPOSITORY);
      else writeFileSync(path, saved);
    });

    test('reads the pipeline the file names, without AWS credentials', async () => {
      writeLocalEndpoints({ environment: 'dev', dynamodb: dynalite.endpoint, pid: process.pid }, REPOSITORY);
      const result = await run(['--env', 'dev', '--local', '--line', 'line-a'], 'local pipeline');
      expect(result.stdout).toMatch(/press-02\s+ANOMALY/);
      expect(result.code).toBe(0);
    }, 60_000);

    test('a file left by a pipeline that is gone, and no file, are one line each saying how to start one', async () => {
      const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
      writeLocalEndpoints({ environment: 'dev', dynamodb: dynalite.endpoint, pid: gone }, REPOSITORY);
      expect(await run(['--env', 'dev', '--local', '--line', 'line-a'], 'local pipeline')).toEqual({
        code: 2,
        stdout: '',
        stderr: `query: the local pipeline of dev that wrote ${path} (pid ${gone}) is gone; start it with \`npm run local -- --env dev\`\n`,
      });
      // Only the pipeline the file names removes it.
      expect(removeLocalEndpoints('dev', REPOSITORY)).toBe(false);
      expect(removeLocalEndpoints('dev', REPOSITORY, gone)).toBe(true);
      expect(await run(['--env', 'dev', '--local', '--line', 'line-a'], 'local pipeline')).toEqual({
        code: 2,
        stdout: '',
        stderr: `query: no local pipeline of dev is running (${path} is missing or unreadable); start it with \`npm run local -- --env dev\`\n`,
      });
    }, 60_000);
  });

  test('exit 2 for an unknown environment, naming the known ones', async () => {
    const result = await run(['--env', 'staging', '--asset', 'pump-07', '--from', '-1h']);
    expect(result.stderr).toBe('query: --env: value "staging" is not allowed; expected an environment of config/: dev, prod\n');
    expect(result.code).toBe(2);
  }, 60_000);
});
