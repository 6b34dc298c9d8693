/**
 * Redrives the stream functions' dead-letter queue: a Kinesis event source mapping that gives up on a
 * batch (retries exhausted, record too old) sends the batch's coordinates to the SQS dead-letter queue,
 * not its records. This tool reads those messages, reads each range back from the stream (which keeps
 * records 7 days), and invokes the function that gave up on it with exactly the event its mapping would
 * have delivered.
 *
 *   npm run redrive -- --env <env> [--dry-run] [--max-messages N] [--function processor|storer]
 *
 * Why invoke instead of putting the records back into the stream: a re-put record gets a NEW sequence
 * number, and quarantine objects are named after the original one; re-put records would also reach the
 * processor and Firehose (so the archive) twice. Invoking with the original shard, sequence numbers, partition keys and arrival
 * times makes a redrive, or two, or a redrive of a batch that was partly applied, leave the same state.
 *
 * Per message, one line: message id | function | shard | sequence range | records | outcome; then
 * `redrive: N messages, N redriven, N kept (reasons)`. A message is deleted only when every invocation
 * returned an empty batchItemFailures list. It is kept (it returns when its visibility timeout lapses)
 * when it is not a Kinesis batch-info document, names a function or stream that is not this
 * environment's, its records have expired from the stream (the line names the archive prefixes to
 * recover them from), or an invocation failed or reported failures. A range larger than Lambda's 6 MB
 * synchronous payload is sent as several contiguous invocations in order, stopping at the first failure.
 * `--dry-run` reads and reports without invoking or deleting, and releases the messages at the end.
 * `--function` handles one function's messages and releases the others. A run that stops at --max-messages
 * checks whether the queue holds messages it did not read; the summary then ends
 * `; at least N more messages in the queue not read (--max-messages N): run again, or raise --max-messages`
 * (or `; the queue may hold more messages not read (...)` when the check cannot tell).
 *
 * Order does not matter: the storer identifies a reading by sensor and timestamp, so readings of a range
 * redriven after later records reached the same minute buckets are added, and a second redrive adds nothing.
 *
 * Exit code: 0 when every message was redriven (or, with --dry-run, would be invoked) and none is left
 * unread; 1 when a message was kept for any other reason, the queue holds (or may hold) messages past
 * --max-messages (dry run too), or AWS refused a queue call; 2 on a wrong command line or config.
 * Region: always sa-east-1; credentials: the default AWS chain (see the README for the operator policy).
 *
 *   npm run redrive -- --env <env> --quarantine iot [--from <ISO|epoch ms|-6h>] [--to ...] [--dry-run] [--max-objects N]
 *
 * replays what the IoT topic rules could not put into the stream. IoT Core does not retry a failed action
 * (a throttled put while gateways drain their buffers): the message goes to the rule's S3 error action under
 * quarantine/iot/, and the device, which got its PUBACK, never resends it. The tool lists the error actions'
 * hour folders for the range (--from default -24h, --to default now; objects whose LastModified is in it),
 * reads each document, runs the RENDERED rule of manifests/<env>/ again on its payload and topic (the local
 * pipeline's TopicRule) with the object's LastModified as the arrival time, and PutRecords the result with
 * the rule's partition key. Objects are left in place; one per line, then
 * `redrive quarantine/iot: N objects, N replayed, N left: reasons`. Exit 1 when any object could not be
 * replayed (a dry run leaves them all and exits 0), 2 on a wrong command line or stale manifests.
 *
 *   npm run redrive -- --env <env> --function processor|storer --shard <shardId> --from <ISO|epoch ms|-6h> [--to ...] [--dry-run]
 *
 * redrives a range no queue message points at: when the mapping could not send a given-up batch's details to
 * the queue (Lambda's DestinationDeliveryFailures), only the logs tell the shard and the time. The tool reads the
 * shard from the first record that arrived at or after --from (AT_TIMESTAMP) up to the first that arrived at or
 * after --to (default now), and invokes the function as above, in events of at most its mapping's batch size,
 * one GetRecords a second and one event in memory at a time. One line per invocation:
 * invocation N | function | shard | sequence range | records | arrival range | outcome; then
 * `redrive <shard> (<function>): N records, N redriven (N invocations)`, or, at the first failed invocation,
 * `...; stopped at invocation N: from sequence number S (arrived T) on the range is not redriven; ... --from T --to E`.
 * A throttled read is retried after waits of 1 to 8 s (about 30 s in all) before the run stops. The stream trims
 * silently, so a run whose reading falls behind the retention stops at the last record read and names the archive
 * prefixes of what may be gone. A shard a resharding closed ends the read at its end; the summary names its children.
 * An overlap with records already processed or redriven is harmless (see above). Refused (exit 2, before any
 * invocation): a range starting before the stream's retention (the archive prefixes to recover it from), a shard
 * the stream does not have (its shards listed), --to not after --from, a sequence number for --from or --to,
 * --max-messages or --quarantine. Exit 1 when it stopped short.
 */
import './lib/quietSdkNodeWarning';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseRedriveArgs, REDRIVE_USAGE, type QuarantineReplayOptions } from './lib/redriveArgs';
import { isQuarantineReplay } from './lib/isQuarantineReplay';
import { isShardRange } from './lib/isShardRange';
import { RedriveError } from './lib/RedriveError';
import { redriveIotQuarantine } from './lib/redriveIotQuarantine';
import { iotReplayTargets } from './lib/redriveIotRules';
import { redriveQueue } from './lib/redriveQueue';
import { redriveShardRange } from './lib/redriveShardRange';
import { redriveTargets, type RedriveTargets } from './lib/redriveTargets';
import { missingCredentialsHint } from './lib/missingCredentialsHint';
import { errorSummary } from '../functions/shared/errorSummary';

const writeLine = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function replayIotQuarantine(targets: RedriveTargets, options: QuarantineReplayOptions): Promise<number> {
  // Read before any AWS call: stale or missing manifests are a wrong setup (exit 2), not a failed replay.
  const replay = iotReplayTargets(targets);
  const clients = { s3: new S3Client({ region: targets.region }), kinesis: new KinesisClient({ region: targets.region }) };
  try {
    return (await redriveIotQuarantine(clients, replay, options, writeLine)).exitCode;
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

async function main(): Promise<number> {
  const options = parseRedriveArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${REDRIVE_USAGE}\n`);
    return 0;
  }
  const targets = redriveTargets(options.environment);
  if (isQuarantineReplay(options)) return replayIotQuarantine(targets, options);
  if (isShardRange(options)) {
    const clients = { kinesis: new KinesisClient({ region: targets.region }), lambda: new LambdaClient({ region: targets.region }) };
    try {
      return (await redriveShardRange(clients, targets, options, writeLine)).exitCode;
    } finally {
      for (const client of Object.values(clients)) client.destroy();
    }
  }
  const clients = {
    sqs: new SQSClient({ region: targets.region }),
    kinesis: new KinesisClient({ region: targets.region }),
    lambda: new LambdaClient({ region: targets.region }),
  };
  try {
    const summary = await redriveQueue(clients, targets, options, writeLine);
    return summary.exitCode;
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const hint = missingCredentialsHint(error, 'iam-redrive-<suffix>');
    const message = hint ?? (error instanceof RedriveError ? error.message : errorSummary(error));
    process.stderr.write(`redrive: ${message.split('\n')[0]}\n`);
    process.exitCode = error instanceof RedriveError ? error.exitCode : 1;
  },
);
