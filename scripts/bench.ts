/**
 * Benchmark of the stream functions (`npm run bench`): throughput of the processor and the storer
 * beside the parse floor (base64 decode + JSON.parse of the same records) measured in the same run,
 * p50/p99 time per 1,000-record batch, the storer's readings per DynamoDB item write at 1 Hz with a
 * 60 s window, validator cost, and each function's bundle size. The handlers run exactly as
 * deployed, with real SDK v3 clients against dynalite (in-process, in a worker thread) and fake
 * S3/SNS servers on 127.0.0.1, so every call to another service is part of the time. Each figure is the median of
 * N runs (`npm run bench -- --runs N`, default 5). The read path's figure: a day of one 1 Hz sensor rolled up to
 * 5 minutes (items read, ms).
 *
 * Targets (processor ratio to the floor, its p99 per batch, the storer's readings per item write) are checked where
 * printed: a missed one is marked MISSED there and the last line counts the misses. The exit code stays 0 when a
 * target is missed: the figures move with the load of a shared machine (a ratio a few hundredths under its target
 * is within that noise), so a miss is a finding to look at and rerun, not a failed run. Exit 1 means the benchmark
 * could not run, 2 a bad argument (one line on stderr).
 */
import './lib/quietSdkNodeWarning';
import Ajv from 'ajv';
import { gzipSync } from 'node:zlib';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { BUNDLE_BUDGETS } from '../charts/lib/bundle';
import { bundleFunction } from '../charts/lib/bundleFunction';
import { ENV, METRIC_NAMES } from '../functions/shared/constants';
import { validateTelemetryMessage } from '../functions/shared/validateTelemetryMessage';
import { createTables, setAwsTestEnvironment, testDynamoClient } from '../test/helpers/emulators';
import { FakeAwsServer } from '../test/helpers/FakeAwsServer';
import { lambdaContext } from '../test/helpers/records';
import { eventOf } from './lib/eventOf';
import { generateRecords, METRICS, type Timeline } from './lib/generateRecords';
import { Random } from './lib/Random';
import { startEmulatorWorker } from './lib/local/startEmulatorWorker';
import { memoryStorer } from './lib/benchMemoryTable';
import { benchReadPath } from './lib/benchReadPath';
import { reportReadPath } from './lib/reportReadPath';
import { telemetrySchema } from './lib/benchSchema';
import { captureStdout } from './lib/captureStdout';
import { emfTotal } from './lib/emfTotal';
import { fmt } from './lib/fmt';
import { median } from './lib/median';
import { percentile } from './lib/percentile';
import { BENCH_USAGE, parseBenchArgs, type BenchOptions } from './lib/benchArgs';
import { functionReport, type ReportTargets, type RunResult } from './lib/benchReport';
import { type BenchTarget } from './lib/benchTargets';
import { targetCell } from './lib/targetCell';
import { targetSummary } from './lib/targetSummary';
import { exitQuietlyOnClosedPipe } from './lib/exitQuietlyOnClosedPipe';
import { ReplayError } from './lib/replayErrors';

type Handler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;

const BATCH = 1_000;
const PROCESSOR_BATCHES_PER_RUN = 20;
const STORER_BATCHES_PER_RUN = 5;
const ASSETS = 100;
const SECONDS_PER_BATCH = BATCH / ASSETS;
/**
 * Anomalies and bad records, far above what a plant produces, so alerts, status changes,
 * checkpoints and quarantine writes are in every run: a temperature spike above the limit in 1 of
 * 5,000 asset-seconds (an episode per asset about every 80 minutes), and 1 record in 2,000 invalid.
 */
const SPIKE_RATE = 0.0002;
const INVALID_EVERY = 2_000;
/** The processor's targets: its cost against the parse floor, and its time per 1,000-record batch. */
const PROCESSOR_RATIO_TARGET = 0.25;
const PROCESSOR_P99_TARGET_MS = 1_000;
/** The storer's target: readings per DynamoDB item write at 1 Hz and a 60 s window. */
const READINGS_PER_WRITE_TARGET = 10;

function floorSeconds(event: KinesisStreamEvent): number {
  const started = process.hrtime.bigint();
  let sink = 0;
  for (const record of event.Records) {
    try {
      const parsed = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as unknown;
      if (parsed !== null) sink += 1;
    } catch {
      sink -= 0; // the invalid records cost their parse attempt here too
    }
  }
  if (sink < 0) throw new Error('unreachable');
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Invocations that reported failures and were delivered again (as the event source mapping would). */
let retriedInvocations = 0;
const retryCauses: string[] = [];

/**
 * One delivery of a batch, timed. A batch that reports failures is delivered again from the first
 * failed record, like the event source mapping does, and the retries count in its time.
 */
async function timed(handler: Handler, event: KinesisStreamEvent): Promise<{ seconds: number; lines: string[] }> {
  const started = process.hrtime.bigint();
  const lines: string[] = [];
  let records = event.Records;
  for (let attempt = 0; records.length > 0; attempt += 1) {
    const captured = await captureStdout(() => handler({ Records: records }, lambdaContext(900_000)));
    lines.push(...captured.lines);
    const failures = captured.result.batchItemFailures;
    if (failures.length === 0) break;
    if (attempt >= 20) throw new Error(`benchmark batch still failing after ${attempt} retries`);
    retriedInvocations += 1;
    const cause = captured.lines.find((line) => line.includes('"WARN"'));
    if (cause !== undefined && retryCauses.length < 3) retryCauses.push(cause.slice(0, 400));
    const first = records.findIndex((r) => r.kinesis.sequenceNumber === failures[0]?.itemIdentifier);
    records = records.slice(Math.max(0, first));
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, lines };
}

async function measure(handler: Handler, timeline: Timeline, firstSecond: number, batches: number, random: Random): Promise<RunResult> {
  let readings = 0;
  let handlerSeconds = 0;
  let floor = 0;
  const durations: number[] = [];
  for (let b = 0; b < batches; b += 1) {
    const from = firstSecond + b * SECONDS_PER_BATCH;
    const event = eventOf(generateRecords(timeline, from, from + SECONDS_PER_BATCH, random));
    const valid = event.Records.filter((r) => !Buffer.from(r.kinesis.data, 'base64').toString('utf8').endsWith('[')).length;
    readings += valid * METRICS.length;
    floor += floorSeconds(event);
    const { seconds } = await timed(handler, event);
    handlerSeconds += seconds;
    durations.push(seconds * 1000);
  }
  return {
    readingsPerSecond: readings / handlerSeconds,
    floorPerSecond: readings / floor,
    ratio: floor / handlerSeconds,
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
  };
}

/** Prints one function's figures; with `targets`, checks the ratio and p99 against them and returns the checks. */
function report(name: string, runs: RunResult[], targets?: ReportTargets): BenchTarget[] {
  const { lines, checks } = functionReport(name, runs, targets);
  for (const line of lines) console.log(line);
  return checks;
}

/** Each deployed function (those with a size budget) bundled by synth's own bundleFunction. */
function bundleSizes(): void {
  console.log('Bundles (as deployed: esbuildOptions of charts/lib/bundle.ts, before zipping)');
  for (const name of Object.keys(BUNDLE_BUDGETS)) {
    const code = Buffer.from(bundleFunction(name).code);
    console.log(`  ${name.padEnd(10)} ${fmt(code.length).padStart(9)} bytes, gzip -9 ${fmt(gzipSync(code, { level: 9 }).length).padStart(8)} bytes`);
  }
}

function validatorCost(random: Random, runs: number): void {
  const timeline: Timeline = { start: Date.now() - 3_600_000, assets: ASSETS, prefix: 'v', invalidEvery: 0, spikeRate: 0 };
  const parsed = generateRecords(timeline, 0, 50, random).map((r) => JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8')) as unknown);
  const ajvValidate = new Ajv({ allErrors: false }).compile(telemetrySchema);
  const rates = { hand: [] as number[], ajv: [] as number[] };
  for (let run = 0; run < runs; run += 1) {
    const now = Date.now();
    let t = process.hrtime.bigint();
    for (const value of parsed) validateTelemetryMessage(value, now);
    rates.hand.push(parsed.length / (Number(process.hrtime.bigint() - t) / 1e9));
    t = process.hrtime.bigint();
    for (const value of parsed) if (!ajvValidate(value)) throw new Error('ajv rejected a valid record');
    rates.ajv.push(parsed.length / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  console.log('Validation of parsed records (8 readings each)');
  console.log(`  hand-written (validates and normalises)  ${fmt(median(rates.hand)).padStart(10)} records/s`);
  console.log(`  ajv compiled JSON Schema (validates only) ${fmt(median(rates.ajv)).padStart(9)} records/s`);
}

async function main({ runs }: BenchOptions): Promise<void> {
  const dynalite = await startEmulatorWorker('dynalite');
  const fake = new FakeAwsServer();
  await fake.start();
  setAwsTestEnvironment({ dynamodb: dynalite.endpoint, s3: fake.endpoint, sns: fake.endpoint });
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  Object.assign(process.env, {
    POWERTOOLS_LOG_LEVEL: 'INFO',
    [ENV.powertoolsMetricsNamespace]: 'PlantTelemetry/bench',
    [ENV.readingsTable]: 'dynamodb-readings-bench',
    [ENV.assetStatusTable]: 'dynamodb-asset-status-bench',
    [ENV.detectorStateTable]: 'dynamodb-detector-state-bench',
    [ENV.alertTopicArn]: 'arn:aws:sns:sa-east-1:123456789012:sns-alerts-bench',
    [ENV.archiveBucket]: 's3-archive-123456789012-bench',
    [ENV.dashboardUrl]: 'https://sa-east-1.console.aws.amazon.com/cloudwatch/home?region=sa-east-1#dashboards/dashboard/telemetry-bench',
    [ENV.detectorConfig]: JSON.stringify({ warmupSamples: 40, limits: { temperature: { max: 110 } } }),
    [ENV.statusHeartbeatSeconds]: '60',
    [ENV.hotRetentionDays]: '14',
  });
  const dynamo = testDynamoClient(dynalite.endpoint);
  await createTables(dynamo, { readings: 'dynamodb-readings-bench', assetStatus: 'dynamodb-asset-status-bench', detectorState: 'dynamodb-detector-state-bench' });
  process.env[ENV.powertoolsServiceName] = 'processor';
  const processor = (await import('../functions/processor')).handler;
  process.env[ENV.powertoolsServiceName] = 'storer';
  const storer = (await import('../functions/storer')).handler;
  const random = new Random(20251129);

  console.log(`Stream functions benchmark: node ${process.version}, ${runs} runs, batches of ${fmt(BATCH)} records (${ASSETS} assets x 8 metrics, 1 message per asset per second), dynalite (worker thread) + fake S3/SNS on 127.0.0.1`);
  console.log(`Generated load: 1 in ${fmt(1 / SPIKE_RATE)} asset-seconds a temperature spike above its limit, 1 in ${fmt(INVALID_EVERY)} records invalid JSON`);
  console.log('');

  // Processor: warm the detectors up first (warm-up samples are cheaper than judged ones).
  const pTimeline: Timeline = { start: Date.now() - 2 * 3_600_000, assets: ASSETS, prefix: 'p', invalidEvery: INVALID_EVERY, spikeRate: SPIKE_RATE };
  let second = 0;
  for (let b = 0; b < 6; b += 1, second += SECONDS_PER_BATCH) await timed(processor, eventOf(generateRecords(pTimeline, second, second + SECONDS_PER_BATCH, random)));
  const processorRuns: RunResult[] = [];
  for (let run = 0; run < runs; run += 1) {
    processorRuns.push(await measure(processor, pTimeline, second, PROCESSOR_BATCHES_PER_RUN, random));
    second += PROCESSOR_BATCHES_PER_RUN * SECONDS_PER_BATCH;
  }
  const targets = report('processor (detect, alert, status, checkpoint, quarantine, EMF)', processorRuns, {
    label: 'processor',
    ratio: PROCESSOR_RATIO_TARGET,
    p99Ms: PROCESSOR_P99_TARGET_MS,
  });
  console.log(`  alerts published ${fake.published.length}, records quarantined ${fake.puts.length}`);
  console.log('');

  const sTimeline: Timeline = { start: Date.now() - 2 * 3_600_000, assets: ASSETS, prefix: 's', invalidEvery: INVALID_EVERY, spikeRate: 0 };
  const storerRuns: RunResult[] = [];
  second = 0;
  for (let run = 0; run < runs; run += 1) {
    storerRuns.push(await measure(storer, sTimeline, second, STORER_BATCHES_PER_RUN, random));
    second += STORER_BATCHES_PER_RUN * SECONDS_PER_BATCH;
  }
  report('storer (bucketed conditional writes to dynalite, quarantine)', storerRuns);
  console.log('');

  // The same batches through the storer's code with an in-memory table: what the code costs
  // without the per-item DynamoDB round trips that dominate the line above.
  const codeOnly = memoryStorer();
  const mTimeline: Timeline = { ...sTimeline, prefix: 'm' };
  const memoryRuns: RunResult[] = [];
  second = 0;
  for (let run = 0; run < runs; run += 1) {
    memoryRuns.push(await measure(codeOnly, mTimeline, second, STORER_BATCHES_PER_RUN * 4, random));
    second += STORER_BATCHES_PER_RUN * 4 * SECONDS_PER_BATCH;
  }
  report('storer code only (same logic, in-memory table instead of DynamoDB and S3)', memoryRuns);
  console.log('');

  // 1 reading/s per sensor, 60 s batching window: one invocation holds a minute of records.
  const wTimeline: Timeline = { start: Math.floor((Date.now() - 3 * 3_600_000) / 60_000) * 60_000 + 17_000, assets: ASSETS, prefix: 'w', invalidEvery: 0, spikeRate: 0 };
  let stored = 0;
  let writes = 0;
  const perWindow: string[] = [];
  for (let window = 0; window < runs; window += 1) {
    const event = eventOf(generateRecords(wTimeline, window * 60, window * 60 + 60, random));
    const { lines } = await timed(storer, event);
    const s = emfTotal(lines, METRIC_NAMES.readingsStored);
    const w = emfTotal(lines, METRIC_NAMES.bucketWrites);
    stored += s;
    writes += w;
    perWindow.push(fmt(s / w, 1));
  }
  console.log(`Storer batching: ${ASSETS} assets x 8 metrics at 1 reading/s, 60 s window (${fmt(60 * ASSETS)} records per invocation), ${runs} windows`);
  const batching: BenchTarget = { name: 'storer readings per item write', value: stored / writes, comparison: '>=', limit: READINGS_PER_WRITE_TARGET, digits: 1 };
  targets.push(batching);
  console.log(`  readings per DynamoDB item write  ${fmt(stored / writes, 1)}   (${fmt(stored)} readings, ${fmt(writes)} item writes; per window: ${perWindow.join(', ')})   ${targetCell(batching)}`);
  console.log('');

  reportReadPath(await benchReadPath(dynalite.endpoint, 'dynamodb-readings-bench', runs));
  console.log('');

  validatorCost(random, runs);
  console.log('');
  bundleSizes();
  console.log('');
  console.log(`Invocations retried after reporting failures: ${retriedInvocations}${retryCauses.length > 0 ? ` (first causes: ${retryCauses.join(' | ')})` : ''}`);

  console.log('');
  console.log(targetSummary(targets));

  dynamo.destroy();
  await fake.stop();
  await dynalite.stop();
}

// `npm run bench | head` closes the pipe early: exit 0 rather than crash on EPIPE.
exitQuietlyOnClosedPipe();
let options: BenchOptions | 'help';
try {
  // Before any emulator starts: a bad argument costs nothing and prints one line.
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof ReplayError)) throw error;
  process.stderr.write(`bench: ${error.message}\n`);
  process.exit(error.exitCode);
}
if (options === 'help') {
  process.stdout.write(`${BENCH_USAGE}\n`);
  process.exit(0);
}
main(options).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
