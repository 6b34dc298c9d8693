/**
 * What an IoT rule's error action writes when an action fails (AWS IoT developer guide, "Error handling
 * (error action)"): one document per rule and message, with the message's topic, client and payload.
 */
export interface ErrorActionDocument {
  readonly ruleName: string;
  /** The topic the message was published to; with Basic Ingest it may carry the `$aws/rules/<rule>/` prefix. */
  readonly topic: string;
  readonly clientId: string;
  readonly payload: Buffer;
  /** `failedAction: errorMessage` of each failure, for the report. */
  readonly failures: readonly string[];
}

/** Why an object is left in place without being replayed, in the order the summary lists them. */
export const LEFT_REASONS = [
  'dry run',
  'read error',
  'malformed',
  'unknown rule',
  'other topic',
  'not JSON',
  'no partition key',
  'too large',
  'put failed',
] as const;
export type LeftReason = (typeof LEFT_REASONS)[number];
