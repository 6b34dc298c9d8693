/**
 * Load test of the local pipeline: runs `npm run simulate` (a child process) against `npm run local`'s
 * pipeline (this process) with faults injected into a few assets, then accounts for every reading a device
 * got a PUBACK for: stored in the hot tier exactly once, quarantined with a reason, or dead-lettered.
 *
 *   npm run loadtest -- --devices 50 --seconds 15 [--faults step,spike,garbage] [--chaos] [--go-live]
 *
 * Every device connects, then sends its first message; the run starts once the processor has judged them
 * all, as in a plant whose processor met its assets long ago (`--go-live`: it meets them in the run).
 * Warm-up: the detector judges an asset only after `warmupSamples` samples (400 rendered). The load test
 * shortens it locally to 40% of the samples an asset sends (`--warmup-samples` to choose) and starts the
 * faults after it; each device's seed is screened with the production detector (docs/local.md). `--chaos`
 * kills the processor's worker mid-batch, throttles DynamoDB, drops 10% of the device connections and kills
 * the storer's worker mid-batch while it drains. After the devices stop, the pollers' batching windows are
 * ended early (a short run need not wait the storer's 60 s window) until every record is delivered.
 *
 * Last line, exactly: `loadtest: <N> devices, <C> connected, <R> readings acked; stored <s>, quarantined <q>,
 * dead-lettered <d>; missing <m>, duplicates <u>; alerts <a> for <f> faulty assets, <h> on healthy; e2e p50 <ms>
 * ms, p99 <ms> ms` (e2e: the acknowledged device publish -> the end of the processor batch that first held the
 * record, over the run; `-` without a sample). Exit 0 only when the
 * fleet succeeded, every device connected, readings were acknowledged, nothing is missing or duplicated and no
 * healthy asset alerted; 1 otherwise, with the reasons on the line before; 2 on a wrong command line. The plan
 * and ledger go to a temporary folder, removed unless the run failed (the failure line names it).
 */
import './lib/quietSdkNodeWarning';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeCertificates } from './lib/fleet/makeCertificates';
import { readFleetTopics } from './lib/fleet/readFleetTopics';
import { UsageError } from './lib/fleet/UsageError';
import { auditHotTier, type HotTierAudit } from './lib/local/auditHotTier';
import { ChaosMonkey } from './lib/local/ChaosMonkey';
import { detectorOverrides } from './lib/local/detectorOverrides';
import { renderedDetectorSettings } from './lib/local/renderedDetectorSettings';
import type { LoopTime } from './lib/local/Emulator';
import { LiveOutput } from './lib/local/LiveOutput';
import { LocalPipeline, type RunningFunction } from './lib/local/LocalPipeline';
import type { LocalManifests } from './lib/local/LocalManifests';
import { LOADTEST_USAGE, parseLoadtestArgs, type LoadtestOptions } from './lib/local/parseLoadtestArgs';
import { pipelineTotals } from './lib/local/pipelineTotals';
import { formatMs } from './lib/local/formatMs';
import { planLoadtest, type LoadtestPlan } from './lib/local/planLoadtest';
import { alertCounts } from './lib/local/alertCounts';
import { renderProcessorFanOut } from './lib/local/renderProcessorFanOut';
import { publishLatencies, type PublishLatencies } from './lib/local/publishLatencies';
import { slowestStages } from './lib/local/slowestStages';
import { type LoadtestOutcome } from './lib/local/loadtestVerdict';
import { loadtestFailures } from './lib/local/loadtestFailures';
import { loadtestLastLine } from './lib/local/loadtestLastLine';
import { readManifests } from './lib/local/readManifests';
import { refuseFaultsBeyondDevices } from './lib/local/refuseFaultsBeyondDevices';

const REPOSITORY = resolve(__dirname, '..');
/**
 * The drain after the devices stopped gives up when no mapping delivered a record for DRAIN_STALL_MS, or
 * after DRAIN_LIMIT_MS in all: the storer (nice 10, one shard on dev) works off its backlog at about 900
 * records/s here once the devices stop, so a fixed short limit would count a slow drain as missing readings.
 */
const DRAIN_STALL_MS = 60_000;
const DRAIN_LIMIT_MS = 600_000;
/** Longest wait for the processor to take the presence events of the fleet's connections before publishing starts. */
const CONNECT_SETTLE_LIMIT_MS = 60_000;
/**
 * Longest wait, once the devices stopped publishing, for the processor to take every record of the run before the
 * fleet disconnects: 2,000 disconnects at once are a burst of presence events no plant sends when its devices
 * merely stop, and their status writes would hold up the last readings' batches.
 */
const END_SETTLE_LIMIT_MS = 60_000;
/** Longest wait for the processor to judge every device's first message before the run starts anyway. */
const FIRST_SIGHT_LIMIT_MS = 120_000;
/** `--chaos`: 10% of the connections dropped; 10% of DynamoDB requests throttled for 3 s, twice, and while draining. */
const CHAOS = { connectionDropShare: 0.1, throttleShare: 0.1, throttleMs: 3000 } as const;

const say = (text: string): void => void process.stderr.write(`loadtest: ${text}\n`);

function functionWith(pipeline: LocalPipeline, variable: string): RunningFunction {
  const running = [...pipeline.functions.values()].find((f) => f.host.spec.variables[variable] !== undefined);
  if (!running) throw new Error(`no function of ${pipeline.manifests.directory} has ${variable} in its environment`);
  return running;
}

/** The fleet in its own process (TLS clients and broker would otherwise share one event loop). */
function runFleet(
  plan: LoadtestPlan,
  options: LoadtestOptions,
  port: number,
  work: string,
  events: {
    /** The fleet holds for the `hold`th time (1: connected; 2: first messages acked); resolves with the line that releases it. */
    readonly held: (hold: number) => Promise<string>;
    readonly publishing: () => void;
    /** The fleet stopped publishing (its PUBACKs in) and holds its connections; resolves with the line that disconnects them. */
    readonly ended: () => Promise<string>;
  },
): { readonly child: ChildProcess; readonly exited: Promise<{ code: number; summary: string }> } {
  const planFile = join(work, 'plan.json');
  writeFileSync(planFile, JSON.stringify(plan.fleet));
  // `node --cpu-prof --cpu-prof-dir=DIR` on the load test profiles the fleet child too (docs/local.md).
  const profiling = process.execArgv.filter((arg) => arg.startsWith('--cpu-prof'));
  const args = [...profiling, '--import', 'tsx', join(REPOSITORY, 'scripts', 'simulate.ts'), '--env', options.environment, '--plan', planFile, '--ledger', join(work, 'ledger.jsonl'),
    '--local', `127.0.0.1:${port}`, '--certs', options.certs, '--rate', String(options.rate), '--readings-per-message', String(options.readingsPerMessage),
    '--seconds', String(options.seconds), '--connect-wait', String(options.connectWaitSeconds), '--quiet', '--hold'];
  const child = spawn(process.execPath, args, { cwd: REPOSITORY, stdio: ['pipe', 'pipe', 'pipe'] });
  let summary = '';
  child.stdout.on('data', (chunk: Buffer) => (summary += chunk.toString('utf8')));
  // The fleet connects every device and holds; once the pipeline has taken the connection storm, a line on
  // its stdin sends the first messages (or, `go`, starts the publishing), and the run's clock (chaos, busy
  // shares) starts when it says it publishes. After `--seconds` it stops publishing and holds its connections
  // until a line says to disconnect.
  let partial = '';
  let holds = 0;
  let publishing = false;
  child.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = (lines.pop() ?? '').slice(-4096);
    for (const line of lines) {
      if (line.endsWith('; holding until a line on stdin')) {
        holds += 1;
        const release = publishing ? events.ended() : events.held(holds);
        // Written, not ended: the fleet takes the end of its stdin for this process being gone, and stops.
        void release.then((command) => child.stdin.write(`${command}\n`));
      } else if (line.endsWith('; publishing')) {
        publishing = true;
        events.publishing();
      }
    }
  });
  return {
    child,
    exited: new Promise((done) =>
      child.on('exit', (code) => {
        child.stdin.destroy();
        done({ code: code ?? 1, summary: summary.trim() });
      }),
    ),
  };
}

/** Width of the windows of the latency profile over the run (by publish time). */
const PROFILE_WINDOW_MS = 10_000;
/** The tail whose stages the profile shows: the slowest 1% of each window, what its p99 stands for. */
const TAIL_SHARE = 0.01;

/** The run's profile windows by publish time: their label and bounds. */
function profileWindows(publishingAt: number, seconds: number): Array<{ label: string; from: number; to: number }> {
  const windows: Array<{ label: string; from: number; to: number }> = [];
  for (let from = publishingAt; from < publishingAt + seconds * 1000; from += PROFILE_WINDOW_MS) {
    windows.push({ label: `${Math.round((from - publishingAt) / 1000)}-${Math.round((from + PROFILE_WINDOW_MS - publishingAt) / 1000)} s`, from, to: from + PROFILE_WINDOW_MS });
  }
  return windows;
}

/**
 * When the processor had judged a record of every asset (before the run, from the first messages, unless
 * --go-live), and the processor path's p50/p99 per window of the run by publish time: the first sight of an
 * asset writes its link, status and checkpoint, so a fleet that all starts within a second (a plant's
 * go-live) is a burst, and the profile shows when it ended.
 */
function latencyProfile(processor: RunningFunction, e2e: PublishLatencies, plan: LoadtestPlan, runFrom: number, publishingAt: number, seconds: number): string {
  let metAt = -Infinity;
  for (const device of plan.fleet.devices) {
    const at = processor.firstDelivered.get(device.assetId);
    if (at !== undefined && at > metAt) metAt = at;
  }
  const windows: string[] = [];
  for (const { label, from, to } of profileWindows(publishingAt, seconds)) {
    const p50 = e2e.series.percentileBetween(50, from, to);
    const p99 = e2e.series.percentileBetween(99, from, to);
    if (!Number.isFinite(p99)) continue;
    windows.push(`${label} ${Math.round(p50)}/${Math.round(p99)} ms`);
  }
  const first = `first messages e2e p50 ${formatMs(e2e.series.percentileBetween(50, -Infinity, runFrom))}, p99 ${formatMs(e2e.series.percentileBetween(99, -Infinity, runFrom))}`;
  const met = !Number.isFinite(metAt)
    ? 'processor did not meet every asset'
    : metAt < runFrom
      ? `processor met every asset before the run (${first})`
      : `processor met every asset ${((metAt - publishingAt) / 1000).toFixed(1)} s into the run`;
  return `${met}; e2e p50/p99 by publish time: ${windows.join(', ')}`;
}

/**
 * Where each window's tail spent its time, and the whole run's: the median of each stage of the slowest 1%
 * (publish to the stream: broker, rule engine, PutRecords; in the stream until the invocation that first
 * delivered the record: the shard's reads and the batches before it; that invocation, a cold start included).
 */
function tailProfile(e2e: PublishLatencies, runFrom: number, publishingAt: number, seconds: number): string {
  const format = (label: string, from: number, to: number): string | undefined => {
    const tail = slowestStages(e2e.stages, from, to, TAIL_SHARE);
    return tail === undefined ? undefined : `${label} ${Math.round(tail.toStream)}/${Math.round(tail.inStream)}/${Math.round(tail.inInvocation)}`;
  };
  const windows = profileWindows(publishingAt, seconds).map(({ label, from, to }) => format(label, from, to)).filter((text) => text !== undefined);
  const run = format('the run', runFrom, Infinity) ?? 'the run -';
  return `e2e stages of the slowest 1% (median ms to the stream/in the stream/in the invocation): ${run}; ${windows.join(', ')}`;
}

/**
 * Whether the processor must checkpoint every batch for the screening's predictions to hold: on a stream of
 * several shards under random placement, a shard's batches move between environments all the time (hundreds of
 * moves in a 2,000-device run) and each move restores the shard's assets; the processor checkpoints every
 * batch by itself once a shard came back to an environment, but the first move to each environment restores
 * checkpoints up to the interval old, tens of times per asset, and the screening's margin does not cover that
 * many (9 of 2,000 healthy assets alarmed in one run). A killed processor (chaos) or a sticky shard restores
 * each asset a few times at most: those runs keep the rendered interval (finding 11 of docs/local.md).
 */
function exactRestores(manifests: LocalManifests, placement: LoadtestOptions['placement']): boolean {
  return placement === 'random' && manifests.streams.some((stream) => stream.shardCount > 1);
}

/**
 * Chaos at fixed shares of the run (the kills wait for a batch in flight). A killed processor restores the
 * rendered configuration's checkpoints, up to CHECKPOINT_INTERVAL_SECONDS (60) old but never inside the
 * warm-up; the samples judged since are not redelivered, as in AWS (the screening's margin, planLoadtest).
 */
async function chaosDuringRun(chaos: ChaosMonkey, pipeline: LocalPipeline, plan: LoadtestPlan, seconds: number): Promise<void> {
  const processor = functionWith(pipeline, 'DETECTOR_CONFIG');
  const started = Date.now();
  const at = async (share: number): Promise<void> => {
    await sleep(Math.max(0, started + seconds * 1000 * share - Date.now()));
  };
  await at(0.3);
  chaos.throttleDynamo(CHAOS.throttleShare, CHAOS.throttleMs);
  await at(0.5);
  await chaos.dropConnections(CHAOS.connectionDropShare);
  await at(Math.max(0.6, (plan.faultAtSeconds + 1) / seconds));
  await chaos.killMidBatch(processor);
  await at(0.8);
  chaos.throttleDynamo(CHAOS.throttleShare, CHAOS.throttleMs);
}

/**
 * Waits until the processor's mapping has delivered every record put so far (the presence events of the
 * fleet's connections); resolves with the time it took, or undefined after `limitMs`.
 */
async function processorCaughtUp(pipeline: LocalPipeline, limitMs: number): Promise<number | undefined> {
  const processor = functionWith(pipeline, 'DETECTOR_CONFIG');
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    const k = processor.counters;
    if (k.recordsDelivered + k.recordsDeadLettered >= pipeline.gateway.counters.toStream) return Date.now() - started;
    await sleep(100);
  }
  return undefined;
}

/**
 * After every device's first message was acknowledged: waits until the processor has judged them (its first
 * sight of each asset writes the asset's link, status and checkpoint). Resolves with how long it took and how
 * many of the fleet's assets it has met; undefined ms after `limitMs`.
 */
async function processorMetFleet(pipeline: LocalPipeline, plan: LoadtestPlan, limitMs: number): Promise<{ ms: number | undefined; met: number }> {
  const processor = functionWith(pipeline, 'DETECTOR_CONFIG');
  const ms = await processorCaughtUp(pipeline, limitMs);
  return { ms, met: plan.fleet.devices.filter((device) => processor.firstDelivered.has(device.assetId)).length };
}

/** Ends batching windows until every record put in the stream was delivered or dead-lettered by every mapping. */
async function drain(pipeline: LocalPipeline, chaos: ChaosMonkey | undefined): Promise<boolean> {
  const until = Date.now() + DRAIN_LIMIT_MS;
  const storer = functionWith(pipeline, 'READINGS_TABLE');
  let storerKilled = false;
  let progress = -1;
  let progressAt = Date.now();
  while (Date.now() < until && Date.now() - progressAt < DRAIN_STALL_MS) {
    const done = [...pipeline.functions.values()].reduce((sum, f) => sum + f.counters.recordsDelivered + f.counters.recordsDeadLettered, 0);
    if (done !== progress) {
      progress = done;
      progressAt = Date.now();
    }
    pipeline.flushWindows();
    if (chaos && !storerKilled) {
      storerKilled = true;
      chaos.throttleDynamo(CHAOS.throttleShare * 2, CHAOS.throttleMs, 'PutItem');
      await chaos.killMidBatch(storer);
    }
    const put = pipeline.gateway.counters.toStream;
    const settled = [...pipeline.functions.values()].every((f) => f.pollers.length === 0 || f.counters.recordsDelivered + f.counters.recordsDeadLettered >= put);
    if (settled && pipeline.backlog === 0) return true;
    await sleep(200);
  }
  return false;
}

/** Busy share of each thread's event loop between two readings of `LocalPipeline.loopTimes()`. */
function busyShares(before: ReadonlyMap<string, LoopTime>, after: ReadonlyMap<string, LoopTime>): string {
  return [...after]
    .map(([thread, end]) => {
      const start = before.get(thread) ?? { active: 0, idle: 0 };
      const active = end.active - start.active;
      const total = active + end.idle - start.idle;
      return `${thread} ${total > 0 ? Math.round((100 * active) / total) : 0}%`;
    })
    .join(', ');
}

function report(
  audit: HotTierAudit,
  pipeline: LocalPipeline,
  plan: LoadtestPlan,
  options: LoadtestOptions,
  fleet: { readonly code: number; readonly summary: string },
  chaos: ChaosMonkey | undefined,
  busy: string,
  clock: { readonly runFrom: number; readonly publishingAt: number },
  e2e: PublishLatencies,
  work: string,
): number {
  const alerts = alertCounts(pipeline.alerts, plan);
  const processor = functionWith(pipeline, 'DETECTOR_CONFIG');
  const c = pipeline.gateway.counters;
  say(`fleet: ${fleet.summary.replace(/^simulate: /, '') || `no summary (exit ${fleet.code})`}`);
  say(`busy (event loop, while the devices ran): ${busy}`);
  for (const line of pipelineTotals(pipeline)) say(line);
  say(`hot tier: garbage messages acked ${audit.garbageAcked} (no readings), stored but never acked ${audit.storedUnacked}; quarantine reasons ${[...audit.quarantineReasons].map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}`);
  if (audit.missingExamples.length > 0) say(`missing, e.g. ${audit.missingExamples.join(', ')}`);
  say(`detection: warm-up ${plan.warmupSamples} samples, faults from ${plan.faultAtSeconds.toFixed(1)} s; ${alerts.detected}/${plan.faultyAssets.size} faulty assets alerted${alerts.missed.length > 0 ? ` (not alerted: ${alerts.missed.join(', ')})` : ''}${alerts.healthyAssets.length > 0 ? `; healthy assets that alerted: ${alerts.healthyAssets.join(', ')}` : ''}; seeds replaced by screening ${plan.seedsReplaced}`);
  if (chaos) say(`chaos: ${chaos.log.length} actions`);
  if (e2e.unmatched > 0) say(`e2e: ${e2e.unmatched} acknowledged messages without a processor batch after their acknowledged publish (resent after a lost PUBACK, or never processed)`);
  say(latencyProfile(processor, e2e, plan, clock.runFrom, clock.publishingAt, options.seconds));
  say(tailProfile(e2e, clock.runFrom, clock.publishingAt, options.seconds));
  const outcome: LoadtestOutcome = {
    devices: options.devices,
    connected: c.peakConnected,
    readingsAcked: audit.readingsAcked,
    stored: audit.stored,
    quarantined: audit.quarantined,
    deadLettered: audit.deadLettered,
    missing: audit.missing,
    duplicates: audit.duplicates,
    alertsOnFaulty: alerts.onFaulty,
    faultyAssets: plan.faultyAssets.size,
    alertsOnHealthy: alerts.onHealthy,
    // The run's messages: the first messages before it (first sight, see the line above) are not part of it.
    e2eP50Ms: e2e.series.percentileBetween(50, clock.runFrom, Infinity),
    e2eP99Ms: e2e.series.percentileBetween(99, clock.runFrom, Infinity),
    fleetExitCode: fleet.code,
  };
  const failures = loadtestFailures(outcome);
  if (failures.length > 0) say(`FAILED: ${failures.join('; ')}; plan and ledger kept in ${work}`);
  process.stdout.write(`${loadtestLastLine(outcome)}\n`);
  return failures.length === 0 ? 0 : 1;
}

/**
 * `--fan-out`: the environment rendered as after the move to enhanced fan-out (consumer registered now, its ARN
 * in the config) into a folder of its own, removed at exit; the rest of the run reads its manifests from there.
 */
function fanOutStage(environment: string): string {
  // The same --env check as without --fan-out, before its config is read.
  readManifests(join(REPOSITORY, 'manifests', environment), environment);
  const stage = mkdtempSync(join(tmpdir(), 'loadtest-fan-out-'));
  process.once('exit', () => rmSync(stage, { recursive: true, force: true }));
  const started = Date.now();
  const directory = renderProcessorFanOut(environment, Date.now(), stage);
  say(`--fan-out: rendered config/${environment}.yaml with capacity.processorFanOut and capacity.processorConsumerArn (the processor's mapping reads through its registered consumer) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return directory;
}

async function main(): Promise<number> {
  const options = parseLoadtestArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${LOADTEST_USAGE}\n`);
    return 0;
  }
  const manifests = readManifests(options.fanOut ? fanOutStage(options.environment) : join(REPOSITORY, 'manifests', options.environment), options.environment);
  // Only now, with every flag's own value (--env's manifests too) checked, whether the faults fit the devices.
  refuseFaultsBeyondDevices(options);
  const topics = readFleetTopics(manifests);
  const plan = planLoadtest(options, topics.lines, renderedDetectorSettings(manifests));
  say(`plan: ${options.devices} devices at ${options.rate} msg/s for ${options.seconds} s, faults ${plan.fleet.faults.map((f) => `${f.assetId}:${f.kind}`).join(' ') || 'none'}, warm-up ${plan.warmupSamples} samples`);
  const certs = makeCertificates(options.certs, plan.fleet.devices.map((d) => d.thingName));
  if (certs.created > 0) say(`made ${certs.created} device certificates in ${certs.ms} ms`);

  const pipeline = new LocalPipeline({
    manifests,
    repositoryRoot: REPOSITORY,
    certsDirectory: options.certs,
    logDirectory: options.logs,
    port: 0,
    overrides: detectorOverrides(manifests, plan.warmupSamples, exactRestores(manifests, options.placement) ? 0 : undefined),
    keepAllLatencies: true,
    placement: options.placement,
  });
  await pipeline.start();
  // The plan and the ledger (tens of MB for a long run) are the evidence of a failed run and nothing else:
  // a passing or interrupted run removes them, a failing one keeps them and says where.
  const work = mkdtempSync(join(tmpdir(), 'loadtest-'));
  say(`plan and ledger in ${work} (removed unless the run fails)`);
  const removeWork = (): void => rmSync(work, { recursive: true, force: true });
  let fleetChild: ChildProcess | undefined;
  // Ctrl-C reaches the fleet child too, a SIGTERM (timeout, kill) only this process: the child must not outlive it.
  const interrupted = (signal: NodeJS.Signals): void => {
    fleetChild?.kill('SIGTERM');
    removeWork();
    say(`interrupted (${signal}); plan and ledger removed`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const live = new LiveOutput(pipeline);
  const ticker = setInterval(() => say(live.line()), 5000);
  let code: number | undefined;
  try {
    const chaos = options.chaos ? new ChaosMonkey(pipeline) : undefined;
    let loopsAtStart = pipeline.loopTimes();
    let loopsAtEnd: ReturnType<LocalPipeline['loopTimes']> | undefined;
    let publishingAt = Date.now();
    // Publishes from here on belong to the run (the first messages went before it).
    let runFrom = -Infinity;
    const ledgerFile = join(work, 'ledger.jsonl');
    const fleetRun = runFleet(plan, options, pipeline.port, work, {
      held: async (hold) => {
        if (hold === 1) {
          const settled = await processorCaughtUp(pipeline, CONNECT_SETTLE_LIMIT_MS);
          const next = options.goLive ? 'devices start the run (--go-live: the processor meets the assets in it)' : 'every device sends its first message';
          say(`presence events of the connections ${settled === undefined ? `not all processed ${CONNECT_SETTLE_LIMIT_MS / 1000} s after the last connect` : `processed ${(settled / 1000).toFixed(1)} s after the last connect`}; ${next}`);
          if (options.goLive) {
            runFrom = Date.now();
            return 'go';
          }
          return 'first';
        }
        const first = await processorMetFleet(pipeline, plan, FIRST_SIGHT_LIMIT_MS);
        runFrom = Date.now();
        say(
          `first sight: the processor met ${first.met}/${plan.fleet.devices.length} assets ${first.ms === undefined ? `and had not caught up ${FIRST_SIGHT_LIMIT_MS / 1000} s after` : `${(first.ms / 1000).toFixed(1)} s after`} their first messages were acked; devices start the run`,
        );
        return 'go';
      },
      publishing: () => {
        loopsAtStart = pipeline.loopTimes();
        publishingAt = Date.now();
        if (chaos) void chaosDuringRun(chaos, pipeline, plan, options.seconds);
      },
      ended: async () => {
        loopsAtEnd = pipeline.loopTimes();
        const caughtUp = await processorCaughtUp(pipeline, END_SETTLE_LIMIT_MS);
        say(`the run's messages ${caughtUp === undefined ? `not all processed ${END_SETTLE_LIMIT_MS / 1000} s after the devices stopped` : `processed ${(caughtUp / 1000).toFixed(1)} s after the devices stopped`}; devices disconnect`);
        return 'disconnect';
      },
    });
    fleetChild = fleetRun.child;
    const fleet = await fleetRun.exited;
    const busy = busyShares(loopsAtStart, loopsAtEnd ?? pipeline.loopTimes());
    const drained = await drain(pipeline, chaos);
    if (!drained) say(`not drained (no delivery for ${DRAIN_STALL_MS / 1000} s, or ${DRAIN_LIMIT_MS / 1000} s in all): backlog ${pipeline.backlog}`);
    pipeline.dynamoProxy.clear();
    const storer = functionWith(pipeline, 'READINGS_TABLE');
    const storerService = storer.host.spec.variables.POWERTOOLS_SERVICE_NAME ?? 'storer';
    const audit = await auditHotTier({
      ledgerFile,
      dynamoEndpoint: pipeline.dynamoEndpoint(storer.host.spec.variables.READINGS_TABLE),
      readingsTable: storer.host.spec.variables.READINGS_TABLE ?? '',
      s3: pipeline.s3,
      quarantinePrefixes: [`quarantine/${storerService}/`, 'quarantine/iot/'],
      sqs: pipeline.sqs,
      functionArn: storer.host.functionArn,
      kinesis: pipeline.kinesis,
      streamName: manifests.streams[0]?.name ?? '',
    });
    const e2e = await publishLatencies(ledgerFile, functionWith(pipeline, 'DETECTOR_CONFIG').deliveries);
    code = report(audit, pipeline, plan, options, fleet, chaos, busy, { runFrom, publishingAt }, e2e, work);
    return code;
  } finally {
    clearInterval(ticker);
    await pipeline.stop();
    if (code === 0) removeWork();
    else if (code === undefined) say(`plan and ledger kept in ${work}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A wrong command line is one line; anything else keeps its stack for the bug report.
    const text = error instanceof UsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`loadtest: ${text}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
