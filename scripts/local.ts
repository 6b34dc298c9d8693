/**
 * The pipeline of one environment on this machine, built from manifests/<env> (the rendered objects, not the
 * chart code, so it catches what a deploy would): an MQTT broker with mutual TLS on 127.0.0.1 that enforces
 * the rendered device policy and applies the rendered topic rules; the stream, tables, queue, topics and
 * bucket in local emulators; each function's zip from the manifest with its rendered environment, driven by
 * pollers that follow the rendered event source mappings. Devices: `npm run simulate` (docs/local.md).
 *
 *   npm run local -- [--env dev] [--port 8883] [--warmup-samples 60]
 *
 * Live output once a second on stderr: devices connected, messages and readings in, records/s and iterator
 * age per function, alerts (each printed as it is published) and end-to-end latencies (device publish ->
 * processor done, -> asset status written, -> alert published), p50/p99. Ctrl-C stops it. One pipeline per
 * environment: while the process named in `.local/<env>/endpoints.json` runs, another one refuses to start.
 */
import './lib/quietSdkNodeWarning';
import { join, resolve } from 'node:path';
import { UsageError } from './lib/fleet/UsageError';
import { liveLocalEndpoints } from './lib/liveLocalEndpoints';
import { localEndpointsPath } from './lib/localEndpointsPath';
import { removeLocalEndpoints } from './lib/removeLocalEndpoints';
import { writeLocalEndpoints } from './lib/writeLocalEndpoints';
import { LIVE_OUTPUT_INTERVAL_MS } from './lib/local/constants';
import { detectorOverrides } from './lib/local/detectorOverrides';
import { LiveOutput } from './lib/local/LiveOutput';
import { pipelineTotals } from './lib/local/pipelineTotals';
import { LocalPipeline } from './lib/local/LocalPipeline';
import { LOCAL_USAGE, parseLocalArgs } from './lib/local/parseLocalArgs';
import { readManifests } from './lib/local/readManifests';

const REPOSITORY = resolve(__dirname, '..');

function untilStopped(seconds: number | undefined): Promise<void> {
  return new Promise<void>((done) => {
    if (seconds !== undefined) setTimeout(done, seconds * 1000);
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
}

async function main(): Promise<number> {
  const options = parseLocalArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${LOCAL_USAGE}\n`);
    return 0;
  }
  const manifests = readManifests(join(REPOSITORY, 'manifests', options.environment), options.environment);
  // One pipeline per environment: a second one would take `.local/<env>/endpoints.json` (query --local) from
  // the first while it runs. Checked again before writing, since starting takes a few seconds.
  refuseIfRunning(manifests.environment);
  const pipeline = new LocalPipeline({
    manifests,
    repositoryRoot: REPOSITORY,
    certsDirectory: options.certs,
    logDirectory: options.logs,
    port: options.port,
    overrides: detectorOverrides(manifests, options.warmupSamples),
    placement: options.placement,
    onAlert: (alert) => process.stderr.write(`local: ALERT ${alert.eventType} ${alert.assetId} (episode ${alert.episodeId})${Number.isFinite(alert.latencyMs) ? `, ${Math.round(alert.latencyMs)} ms after its first anomalous sample` : ''}\n`),
  });
  await pipeline.start();
  try {
    refuseIfRunning(manifests.environment);
  } catch (error) {
    await pipeline.stop();
    throw error;
  }
  // `npm run query -- --local` finds the tables here (one endpoint that serves every table).
  const endpointsFile = writeLocalEndpoints(
    { environment: manifests.environment, dynamodb: pipeline.dynamoEndpoint(), pid: process.pid, broker: `mqtts://127.0.0.1:${pipeline.port}` },
    REPOSITORY,
  );
  process.stderr.write(`local: DynamoDB for operator tools ${pipeline.dynamoEndpoint()} (in ${endpointsFile})\n`);
  process.stderr.write(
    `local: ${manifests.environment} from ${manifests.directory}: broker mqtts://127.0.0.1:${pipeline.port} (CA ${options.certs}/ca.pem), ` +
      `${manifests.topicRules.length} rules, ${manifests.streams.length} stream(s), ${manifests.tables.length} tables, ${manifests.functions.length} functions; function logs in ${options.logs}\n`,
  );
  if (manifests.ignored.length > 0) process.stderr.write(`local: not emulated: ${manifests.ignored.join(', ')}\n`);
  const live = new LiveOutput(pipeline);
  const timer = setInterval(() => process.stderr.write(`local: ${live.line()}\n`), LIVE_OUTPUT_INTERVAL_MS);
  await untilStopped(options.seconds);
  clearInterval(timer);
  process.stderr.write('local: stopping; what the pipeline did:\n');
  for (const line of pipelineTotals(pipeline)) process.stderr.write(`local: ${line}\n`);
  removeLocalEndpoints(manifests.environment, REPOSITORY);
  await pipeline.stop();
  return 0;
}

/** A UsageError (exit 2) when the endpoints file of `environment` names another process that still runs. */
function refuseIfRunning(environment: string): void {
  const running = liveLocalEndpoints(environment, REPOSITORY);
  if (running === undefined) return;
  throw new UsageError(
    `--env ${environment}: a local pipeline of ${environment} is already running (pid ${running.pid}, broker ${running.broker ?? 'not recorded'}, DynamoDB ${running.dynamodb}, per ${localEndpointsPath(environment, REPOSITORY)}); stop it first, or delete that file if pid ${running.pid} is not a local pipeline`,
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // The libraries' messages carry no prefix: the tool's name goes in front once.
    process.stderr.write(`local: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
