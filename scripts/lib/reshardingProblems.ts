/**
 * Shard-count changes AWS refuses in one step. The provider reshards with one UpdateShardCount
 * call (uniform scaling) to the rendered count, and Kinesis takes a target of at most twice and at
 * least half the open shards per call, and at most 10 calls per stream per rolling 24 hours: a
 * larger jump fails on every reconcile and the stream keeps its old capacity.
 */
import { describeObject } from './describeObject';
import type { PreflightProblem } from './preflightProblem';
import type { RenderedFile } from './preflightRendering';
import { reshardingSteps } from './reshardingSteps';

/** Most UpdateShardCount calls per stream in a rolling 24 hours. */
export const MAX_RESHARDS_PER_DAY = 10;

const STREAM_GROUP = 'kinesis.aws.m.upbound.io';
const SHARD_COUNT_FIELD = '/spec/forProvider/shardCount';

interface StreamShards {
  readonly file: string;
  readonly object: Record<string, unknown>;
  readonly shardCount: number;
  readonly name: string;
}

function streams(files: readonly RenderedFile[]): Map<string, StreamShards> {
  const found = new Map<string, StreamShards>();
  for (const { file, objects } of files) {
    for (const object of objects) {
      if (!String(object.apiVersion).startsWith(`${STREAM_GROUP}/`) || object.kind !== 'Stream') continue;
      const shardCount = ((object.spec as { forProvider?: { shardCount?: unknown } } | undefined)?.forProvider ?? {}).shardCount;
      const { name, namespace } = (object.metadata ?? {}) as { name?: string; namespace?: string };
      if (typeof shardCount === 'number') found.set(`${namespace ?? ''}/${name ?? ''}`, { file, object, shardCount, name: name ?? '' });
    }
  }
  return found;
}

/** Streams whose rendered shard count changes by more than one UpdateShardCount call can make. */
export function reshardingProblems(previous: readonly RenderedFile[], current: readonly RenderedFile[]): PreflightProblem[] {
  const before = streams(previous);
  return [...streams(current).entries()].flatMap(([key, now]) => {
    const old = before.get(key);
    if (old === undefined) return [];
    const steps = reshardingSteps(old.shardCount, now.shardCount);
    if (steps.length <= 1) return [];
    const days = steps.length > MAX_RESHARDS_PER_DAY ? `, over ${Math.ceil(steps.length / MAX_RESHARDS_PER_DAY)} days (at most ${MAX_RESHARDS_PER_DAY} a day)` : '';
    return [
      {
        subject: describeObject(now.file, now.object),
        field: SHARD_COUNT_FIELD,
        wrong: `${old.shardCount} → ${now.shardCount} shards in one sync; Kinesis reshards to at most twice and at least half the open shards per call, so the update would fail on every reconcile`,
        todo:
          `reshard by hand first, waiting for ACTIVE after each call${days}: ` +
          `aws kinesis update-shard-count --stream-name ${now.name} --scaling-type UNIFORM_SCALING --target-shard-count N for N = ${steps.join(', ')}; then sync (the provider finds the count it wants)`,
      },
    ];
  });
}
