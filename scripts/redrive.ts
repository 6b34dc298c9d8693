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
 * `--function` handles one function's messages and releases the others.
 *
 * Order does not matter: the storer identifies a reading by sensor and timestamp, so readings of a range
 * redriven after later records reached the same minute buckets are added, and a second redrive adds nothing.
 *
 * Exit code: 0 when every message was redriven (or, with --dry-run, would be invoked); 1 when a message
 * was kept for any other reason or AWS refused a queue call; 2 on a wrong command line or config.
 * Region: always sa-east-1; credentials: the default AWS chain (see the README for the operator policy).
 */
import './lib/quietSdkNodeWarning';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseRedriveArgs, REDRIVE_USAGE } from './lib/redriveArgs';
import { RedriveError } from './lib/RedriveError';
import { redriveQueue } from './lib/redriveQueue';
import { redriveTargets } from './lib/redriveTargets';
import { missingCredentialsHint } from './lib/missingCredentialsHint';

async function main(): Promise<number> {
  const options = parseRedriveArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${REDRIVE_USAGE}\n`);
    return 0;
  }
  const targets = redriveTargets(options.environment);
  const clients = {
    sqs: new SQSClient({ region: targets.region }),
    kinesis: new KinesisClient({ region: targets.region }),
    lambda: new LambdaClient({ region: targets.region }),
  };
  try {
    const summary = await redriveQueue(clients, targets, options, (line) => process.stdout.write(`${line}\n`));
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
    const message = hint ?? (error instanceof Error ? (error instanceof RedriveError ? error.message : `${error.name}: ${error.message}`) : String(error));
    process.stderr.write(`redrive: ${message.split('\n')[0]}\n`);
    process.exitCode = error instanceof RedriveError ? error.exitCode : 1;
  },
);
