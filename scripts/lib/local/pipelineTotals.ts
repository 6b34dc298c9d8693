import { median } from '../median';
import { KINESIS_LIMITS } from './constants';
import { formatMs } from './formatMs';
import type { LocalPipeline } from './LocalPipeline';

/** ` (init median M ms, max X ms)` of the cold starts that finished their init, or nothing without one. */
function initSummary(durationsMs: readonly number[]): string {
  if (durationsMs.length === 0) return '';
  return ` (init median ${formatMs(median(durationsMs))}, max ${formatMs(Math.max(...durationsMs))})`;
}

/**
 * What a local pipeline did since it started, one line per part: DynamoDB requests, the broker, each
 * function's event source mapping, latencies, and the shards that took more than AWS would. `npm run local`
 * prints them when it stops, the load test in its report.
 */
export function pipelineTotals(pipeline: LocalPipeline): string[] {
  const dynamo = pipeline.dynamoProxy;
  const c = pipeline.gateway.counters;
  const lines = [
    `dynamodb: ${Object.entries(dynamo.counts).map(([operation, n]) => `${operation} ${n}`).join(', ')}; throttled ${dynamo.throttled}`,
    `broker: ${c.connects} connects, ${c.disconnects} disconnects, ${c.received} messages (${c.toStream} to the stream, ${c.parseErrors} ParseError (not JSON: dropped as AWS does), ${c.oversized} oversized refused, ${c.errorActions} error actions, ${c.publishDenied} publishes denied)`,
  ];
  for (const [name, f] of pipeline.functions) {
    if (f.pollers.length === 0) continue;
    const k = f.counters;
    lines.push(
      `${name}: ${k.invocations} invocations, ${k.recordsDelivered} records delivered, ${k.functionErrors} function errors, ${k.partialFailures} partial failures, ${k.bisections} bisections, ${k.dlqMessages} DLQ messages (${k.recordsDeadLettered} records), ${f.host.coldStarts} cold starts${initSummary(f.host.initDurationsMs)}, ${f.host.moves} batches in another environment than their shard's previous batch`,
    );
  }
  const reads = [...pipeline.shardReads.values()];
  if (reads.length > 0) {
    const granted = reads.reduce((sum, limiter) => sum + limiter.granted, 0);
    const delayed = reads.reduce((sum, limiter) => sum + limiter.delayed, 0);
    const archive = pipeline.reservedReads.reduce((sum, reserved) => sum + reserved.taken, 0);
    const archiveNote = pipeline.reservedReads.length > 0 ? ` (${archive} of them Firehose's, counted, not made: it is not emulated)` : '';
    const fanOutNote = pipeline.fanOutMappings.length > 0 ? `; outside the limit, through an enhanced fan-out consumer: ${pipeline.fanOutMappings.join(', ')}` : '';
    lines.push(`kinesis reads: ${granted} GetRecords over ${reads.length} shards${archiveNote}, ${delayed} waited for the shard's ${KINESIS_LIMITS.shardReadsPerSecond} reads/s${fanOutNote}`);
  }
  lines.push(
    `latency: status p50 ${formatMs(pipeline.statusLatency.percentile(50, true))} p99 ${formatMs(pipeline.statusLatency.percentile(99, true))}; alert p50 ${formatMs(pipeline.alertLatency.percentile(50, true))} p99 ${formatMs(pipeline.alertLatency.percentile(99, true))}`,
  );
  for (const [shard, load] of pipeline.gateway.shardLoads) {
    if (load.overLimitSeconds > 0) lines.push(`warning: ${shard} took more than a shard's 1,000 records/s or 1 MiB/s in ${load.overLimitSeconds} s (peak ${load.peakRecords}/s): AWS would throttle the rule's puts`);
  }
  return lines;
}
