import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

export function eventOf(records: KinesisStreamRecord[]): KinesisStreamEvent {
  return { Records: records };
}
