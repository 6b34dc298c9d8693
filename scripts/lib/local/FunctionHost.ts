import type { KinesisStreamEvent } from 'aws-lambda';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { LoopTime } from './Emulator';
import type { FunctionSpec } from './LocalManifests';
import { BACKGROUND_NICE } from './threadPriority';
import { lambdaVariables } from './lambdaVariables';
import { unzipSingleEntry } from './unzipSingleEntry';
import { ExecutionEnvironment, type EnvironmentSetup, type InvokeResult } from './ExecutionEnvironment';

/**
 * How an invocation finds its execution environment among the idle ones. Lambda promises no affinity
 * between a shard and an environment: `random` (the default) moves a shard's batches between environments
 * as freely as AWS may; `sticky` keeps each poller on the environment of its previous batch while that one
 * is idle (the best case).
 */
export const PLACEMENTS = ['random', 'sticky'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/**
 * One function's execution environments: its zip from the manifest (index.js unzipped with node:zlib),
 * its rendered environment plus Lambda's own variables and the emulators' endpoints (`lambdaVariables`). As in Lambda, each invocation runs alone in an
 * environment: an idle one if there is one, otherwise a new one (a cold start, which the functions answer
 * by restoring their checkpoints). Which idle environment: see Placement.
 */
export class FunctionHost {
  readonly spec: FunctionSpec;
  readonly functionArn: string;
  coldStarts = 0;
  /** Init duration of each cold start that finished its init, ms. */
  readonly initDurationsMs: number[] = [];
  /** Invocations that ran in another environment than their caller's previous one (a shard that moved). */
  moves = 0;
  readonly #environments: ExecutionEnvironment[] = [];
  /** Event loop time of the environments that went away. */
  #pastLoops: LoopTime = { active: 0, idle: 0 };
  readonly #setup: EnvironmentSetup;
  readonly #log: WriteStream;
  readonly #placement: Placement;
  /** The environment of each caller's previous invocation (sticky placement). */
  readonly #lastOf = new Map<string, ExecutionEnvironment>();

  constructor(
    spec: FunctionSpec,
    options: {
      accountId: string;
      region: string;
      environment: Record<string, string>;
      logDirectory: string;
      repositoryRoot: string;
      placement?: Placement;
      /** Latency-tolerant (every mapping has a batching window): its environments run at BACKGROUND_NICE. */
      background?: boolean;
    },
  ) {
    this.spec = spec;
    this.#placement = options.placement ?? 'random';
    this.functionArn = `arn:aws:lambda:${options.region}:${options.accountId}:function:${spec.name}`;
    const [file = 'index', exportName = 'handler'] = spec.handler.split('.');
    // Each start of a pipeline replaces the function's log: appended, a load test's post-mortem would search
    // every earlier run too (tens of MB each on prod).
    this.#log = createWriteStream(join(options.logDirectory, `${spec.name}.log`), { flags: 'w' });
    this.#setup = {
      code: unzipSingleEntry(spec.zip, `${file}.js`).toString('utf8'),
      exportName,
      filename: join(options.repositoryRoot, '.local', 'functions', spec.name, `${file}.js`),
      env: lambdaVariables(spec, options.region, options.environment),
      log: this.#log,
      spec,
      functionArn: this.functionArn,
      nice: options.background === true ? BACKGROUND_NICE : 0,
    };
  }

  /** An invocation is in flight (chaos waits for one to kill its environment mid-batch). */
  get busy(): boolean {
    return this.#environments.some((environment) => environment.busy);
  }

  /** Busy and idle time of this function's environments so far (read after each invocation; a killed one's last reading counts). */
  utilization(): LoopTime {
    let { active, idle } = this.#pastLoops;
    for (const environment of this.#environments) {
      const loop = environment.utilization();
      active += loop.active;
      idle += loop.idle;
    }
    return { active, idle };
  }

  #retire(environment: ExecutionEnvironment): void {
    const index = this.#environments.indexOf(environment);
    if (index < 0) return;
    this.#environments.splice(index, 1);
    const loop = environment.utilization();
    this.#pastLoops = { active: this.#pastLoops.active + loop.active, idle: this.#pastLoops.idle + loop.idle };
  }

  /** `caller` names the poller (one per shard and mapping) for sticky placement. */
  async invoke(event: KinesisStreamEvent, caller = ''): Promise<InvokeResult> {
    const started = Date.now();
    const idle = this.#environments.filter((environment) => environment.alive && !environment.busy);
    const previous = this.#lastOf.get(caller);
    let environment = this.#placement === 'sticky' && previous !== undefined && idle.includes(previous) ? previous : idle[Math.floor(Math.random() * idle.length)];
    if (environment === undefined) {
      this.coldStarts += 1;
      environment = new ExecutionEnvironment(this.#setup, (initMs) => this.initDurationsMs.push(initMs));
      this.#environments.push(environment);
    }
    if (previous !== undefined && previous !== environment) this.moves += 1;
    this.#lastOf.set(caller, environment);
    const result = await environment.invoke(event, started);
    if (!environment.alive) this.#retire(environment);
    return result;
  }

  /** Kills an environment now, mid-batch if one runs (chaos); the next invocation that finds no idle one cold-starts. */
  async kill(reason = 'killed (chaos)'): Promise<void> {
    const environment = this.#environments.find((candidate) => candidate.busy) ?? this.#environments[0];
    if (!environment) return;
    await environment.kill(reason);
    this.#retire(environment);
  }

  async stop(): Promise<void> {
    for (const environment of [...this.#environments]) {
      await environment.kill('stopped');
      this.#retire(environment);
    }
    await new Promise<void>((resolve) => this.#log.end(() => resolve()));
  }
}
