import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent } from 'aws-lambda';
import { archiveRecoveryText } from './archiveRecoveryText';
import { errorText } from './errorText';
import { eventBytes } from './eventBytes';
import { invokeRedriveEvent } from './invokeRedriveEvent';
import type { RedriveOptions } from './redriveArgs';
import { parseBatchFailure, type KinesisBatchFailure } from './redriveDocument';
import { readRange, type RangeRead } from './redriveRecords';
import { type RedriveFunction, type RedriveTargets } from './redriveTargets';
import { MAX_REDRIVE_EVENT_BYTES, splitIntoEvents } from './splitIntoEvents';
import { toLambdaRecord } from './toLambdaRecord';

/** The SDK clients the redrive works with (tests point real clients at local servers). */
export interface RedriveClients {
  readonly sqs: SQSClient;
  readonly kinesis: KinesisClient;
  readonly lambda: LambdaClient;
}

export interface RedriveSettings {
  /** Largest invocation payload; default MAX_REDRIVE_EVENT_BYTES. */
  readonly maxPayloadBytes?: number;
  /**
   * How long a received message stays invisible (default 300 s). A message kept after a failed
   * redrive comes back when it lapses; a long redrive extends it before each further invocation once
   * half of it has passed.
   */
  readonly visibilityTimeoutSeconds?: number;
  /** Long-polling wait of ReceiveMessage (default 5 s): short polls can miss messages of a small queue. */
  readonly waitTimeSeconds?: number;
  readonly now?: () => number;
}

/** Why a message stays in the queue, in the order the summary lists them. */
export const KEPT_REASONS = [
  'dry run',
  'other function',
  'malformed',
  'refused',
  'expired',
  'read error',
  'batch item failures',
  'function error',
  'invoke error',
  'delete error',
] as const;
export type KeptReason = (typeof KEPT_REASONS)[number];

/** SQS's limit of messages per ReceiveMessage. */
const MAX_MESSAGES_PER_RECEIVE = 10;

/** Reasons that do not make the run fail: the operator asked for them. */
const EXPECTED_REASONS: ReadonlySet<KeptReason> = new Set(['dry run', 'other function']);

export interface MessageOutcome {
  readonly messageId: string;
  /** undefined: redriven and deleted. */
  readonly kept?: KeptReason;
  readonly invocations: number;
  readonly line: string;
}

/**
 * Whether the queue still holds messages the run never received. 'none' when an empty receive ended the
 * run or, after it stopped at --max-messages, the check's; messages the run tried and kept are never
 * counted here (the summary counts them as kept).
 */
export type UnreadMessages =
  | { readonly state: 'none' }
  | { readonly state: 'some'; readonly atLeast: number }
  | { readonly state: 'unknown'; readonly reason: string };

export interface RedriveSummary {
  readonly outcomes: readonly MessageOutcome[];
  readonly redriven: number;
  readonly kept: Readonly<Partial<Record<KeptReason, number>>>;
  readonly unread: UnreadMessages;
  readonly exitCode: 0 | 1;
  readonly line: string;
}

interface Received {
  readonly message: Message;
  lastVisibilityMs: number;
}

/** The summary's tail when the run may have left messages unread: run again (a dry run: read more). */
function unreadText(unread: UnreadMessages, options: RedriveOptions): string {
  const advice = options.dryRun ? 'raise --max-messages to read them too' : 'run again, or raise --max-messages';
  if (unread.state === 'some') {
    return `; at least ${unread.atLeast} more message${unread.atLeast === 1 ? '' : 's'} in the queue not read (--max-messages ${options.maxMessages}): ${advice}`;
  }
  if (unread.state === 'unknown') return `; the queue may hold more messages not read (--max-messages ${options.maxMessages}; ${unread.reason}): ${advice}`;
  return '';
}

/**
 * Redrives the dead-letter queue of one environment: for each message (up to options.maxMessages) the
 * range it names is read back from the stream and handed, with its original sequence numbers, to the
 * function that gave up on it; the message is deleted only when every invocation succeeded with no
 * batch item failures. Writes one line per message and the summary through `write`. When the run stops at
 * options.maxMessages, it checks whether the queue holds messages it did not read and says so (exit 1).
 */
export async function redriveQueue(
  clients: RedriveClients,
  targets: RedriveTargets,
  options: RedriveOptions,
  write: (line: string) => void,
  settings: RedriveSettings = {},
): Promise<RedriveSummary> {
  const visibility = settings.visibilityTimeoutSeconds ?? 300;
  const now = settings.now ?? Date.now;
  const outcomes: MessageOutcome[] = [];
  const seen = new Set<string>();
  /** Messages the run gives back at the end, by id: the receipt handle of their latest receive (an earlier one no longer works). */
  const release = new Map<string, string>();

  const extendVisibility = async (received: Received): Promise<void> => {
    if (now() - received.lastVisibilityMs < (visibility * 1000) / 2) return;
    try {
      await clients.sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: targets.queueUrl, ReceiptHandle: received.message.ReceiptHandle, VisibilityTimeout: visibility }),
      );
      received.lastVisibilityMs = now();
    } catch {
      // Not fatal: at worst the message becomes visible while it is redriven, and redriving it again is harmless.
    }
  };

  const handle = async (received: Received): Promise<MessageOutcome> => {
    const messageId = received.message.MessageId ?? '(no id)';
    const parsed = parseBatchFailure(received.message.Body ?? '');
    const prefix = (fn: string, failure?: KinesisBatchFailure, records?: number): string =>
      `message ${messageId} | ${fn} | ${failure?.shardId ?? '-'} | ${failure ? `${failure.startSequenceNumber}..${failure.endSequenceNumber}` : '-'} | ${records === undefined ? '-' : `${records} records`} | `;
    const keep = (reason: KeptReason, line: string, invocations = 0): MessageOutcome => ({ messageId, kept: reason, invocations, line });

    if (!parsed.ok) return keep('malformed', `${prefix('-')}kept: not a Kinesis batch-info document: ${parsed.reason}`);
    const failure = parsed.failure;
    const target: RedriveFunction | undefined = Object.values(targets.functions).find((f) => f.arn === failure.functionArn);
    if (target === undefined) {
      const ours = Object.values(targets.functions).map((f) => f.name).join(' or ');
      return keep('refused', `${prefix(failure.functionArn, failure)}kept: refused: ${failure.functionArn} is not ${ours} of environment ${targets.environment}`);
    }
    const head = (records?: number): string => prefix(target.fn, failure, records);
    if (failure.streamArn !== targets.streamArn) {
      return keep('refused', `${head()}kept: refused: stream ${failure.streamArn} is not ${targets.streamArn}`);
    }
    if (options.onlyFunction !== undefined && options.onlyFunction !== target.fn) {
      return keep('other function', `${head()}left in the queue: not --function ${options.onlyFunction}`);
    }

    let read: RangeRead;
    try {
      read = await readRange(clients.kinesis, {
        streamName: targets.streamName,
        shardId: failure.shardId,
        startSequenceNumber: failure.startSequenceNumber,
        endSequenceNumber: failure.endSequenceNumber,
      });
    } catch (error) {
      return keep('read error', `${head()}kept: reading the range from ${targets.streamName} failed: ${errorText(error)}`);
    }
    if (read.status === 'expired') {
      const oldest = read.firstAvailable === undefined ? 'no record of the range is left' : `the oldest record left is ${read.firstAvailable}`;
      return keep(
        'expired',
        `${head()}kept: expired: the stream no longer holds ${failure.startSequenceNumber} (${oldest}); ${archiveRecoveryText(targets, failure.firstArrivalMs, failure.lastArrivalMs)}`,
      );
    }

    const source = { shardId: failure.shardId, streamArn: failure.streamArn, region: targets.region, roleArn: target.roleArn };
    let events: KinesisStreamEvent[];
    try {
      events = splitIntoEvents(
        read.records.map((record) => toLambdaRecord(record, source)),
        settings.maxPayloadBytes ?? MAX_REDRIVE_EVENT_BYTES,
        target.batchSize,
      );
    } catch (error) {
      return keep('read error', `${head(read.records.length)}kept: ${(error as Error).message}`);
    }
    const count = read.records.length;
    const plural = (n: number): string => `${n} invocation${n === 1 ? '' : 's'}`;
    if (options.dryRun) {
      const sizes = events.map((event) => `${event.Records.length} records, ${eventBytes(event)} bytes`).join('; ');
      return keep('dry run', `${head(count)}dry run: would invoke ${target.name} ${events.length === 1 ? 'once' : `${events.length} times`} (${sizes})`);
    }

    for (const [index, event] of events.entries()) {
      const which = `invocation ${index + 1} of ${events.length}`;
      if (index > 0) await extendVisibility(received);
      const result = await invokeRedriveEvent(clients.lambda, target.arn, event);
      if (!result.ok) return keep(result.reason, `${head(count)}kept: ${which} ${result.reason === 'invoke error' ? 'failed:' : 'reported'} ${result.detail}`, index + 1);
    }
    try {
      await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: targets.queueUrl, ReceiptHandle: received.message.ReceiptHandle }));
    } catch (error) {
      return keep(
        'delete error',
        `${head(count)}kept: redriven (${plural(events.length)}) but DeleteMessage failed: ${errorText(error)}; redriving it again is harmless`,
        events.length,
      );
    }
    return { messageId, invocations: events.length, line: `${head(count)}redriven (${plural(events.length)}), message deleted` };
  };

  const receive = (maxNumberOfMessages: number): Promise<Message[]> =>
    clients.sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: targets.queueUrl,
          MaxNumberOfMessages: maxNumberOfMessages,
          VisibilityTimeout: visibility,
          // Long polling asks every SQS server: a short poll could miss what is left and report none.
          WaitTimeSeconds: settings.waitTimeSeconds ?? 5,
        }),
      )
      .then((output) => output.Messages ?? []);

  /**
   * After the run stopped at --max-messages: receives until a message the run never received turns up or a
   * receive comes back empty. Everything it receives goes back at the end with the messages to release.
   * Messages the run tried and kept may be back already (their visibility lapsed during a long run); they
   * are not counted, and as each such receive hides at least one of them, seen + 1 receives settle it
   * unless the check outlasts the visibility timeout.
   */
  const checkUnread = async (): Promise<UnreadMessages> => {
    for (let attempt = 0; attempt <= seen.size; attempt += 1) {
      let messages: Message[];
      try {
        messages = await receive(MAX_MESSAGES_PER_RECEIVE);
      } catch (error) {
        return { state: 'unknown', reason: `the receive that checks failed: ${errorText(error)}` };
      }
      if (messages.length === 0) return { state: 'none' };
      const unseen = new Set<string>();
      for (const message of messages) {
        const messageId = message.MessageId ?? '';
        if (!seen.has(messageId)) unseen.add(messageId);
        if (message.ReceiptHandle !== undefined) release.set(messageId, message.ReceiptHandle);
      }
      if (unseen.size > 0) return { state: 'some', atLeast: unseen.size };
    }
    return { state: 'unknown', reason: 'the receives that check brought back only messages this run had tried' };
  };

  let emptied = false;
  while (outcomes.length < options.maxMessages) {
    const messages = await receive(Math.min(MAX_MESSAGES_PER_RECEIVE, options.maxMessages - outcomes.length));
    const receivedAt = now();
    // Only an empty receive says nothing is left. One that brings back only messages this run has seen
    // (kept ones whose visibility lapsed during a long run: SQS does not keep order) does not: the
    // queue may still hold messages the run never looked at.
    if (messages.length === 0) {
      emptied = true;
      break;
    }
    for (const message of messages) {
      const messageId = message.MessageId ?? '';
      if (seen.has(messageId)) {
        // Not handled twice (SQS delivers at least once); one to give back takes its new receipt handle.
        if (release.has(messageId) && message.ReceiptHandle !== undefined) release.set(messageId, message.ReceiptHandle);
        continue;
      }
      seen.add(messageId);
      const outcome = await handle({ message, lastVisibilityMs: receivedAt });
      outcomes.push(outcome);
      write(outcome.line);
      if (message.ReceiptHandle !== undefined && (options.dryRun || outcome.kept === 'other function')) {
        release.set(messageId, message.ReceiptHandle);
      }
    }
  }

  // Before the release below: the released messages would come back to the check's receives.
  const unread: UnreadMessages = emptied ? { state: 'none' } : await checkUnread();

  // Messages the run did not try (dry run, another function) or only checked go back to the queue at once;
  // those it tried and kept come back when their visibility timeout lapses.
  for (const receiptHandle of release.values()) {
    try {
      await clients.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: targets.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }));
    } catch {
      // They come back when the visibility timeout lapses instead.
    }
  }

  const kept: Partial<Record<KeptReason, number>> = {};
  for (const outcome of outcomes) if (outcome.kept !== undefined) kept[outcome.kept] = (kept[outcome.kept] ?? 0) + 1;
  const keptTotal = Object.values(kept).reduce((sum, n) => sum + n, 0);
  const redriven = outcomes.length - keptTotal;
  const reasons = KEPT_REASONS.filter((reason) => kept[reason] !== undefined).map((reason) => `${kept[reason]} ${reason}`);
  const line =
    `redrive: ${outcomes.length} message${outcomes.length === 1 ? '' : 's'}, ${redriven} redriven, ${keptTotal} kept${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}` +
    unreadText(unread, options);
  write(line);
  // Messages possibly left unread fail a dry run too: "0 kept" must not read as a drained queue.
  const failed = unread.state !== 'none' || outcomes.some((outcome) => outcome.kept !== undefined && !EXPECTED_REASONS.has(outcome.kept));
  return { outcomes, redriven, kept, unread, exitCode: failed ? 1 : 0, line };
}
