import type { KinesisStreamEvent } from 'aws-lambda';

/** Bytes of an event as it is sent. */
export function eventBytes(event: KinesisStreamEvent): number {
  return Buffer.byteLength(JSON.stringify(event));
}
