/** What an event source mapping reads: its stream, and the enhanced fan-out consumer it reads through, if any. */
export interface KinesisSource {
  readonly streamArn: string;
  readonly streamName: string;
  /** The consumer's name when the mapping's source is a stream consumer (`<stream ARN>/consumer/<name>:<registered>`). */
  readonly consumer: string | undefined;
}

const CONSUMER_ARN = /^(arn:[^:]+:kinesis:[^:]*:\d{12}:stream\/[^/]+)\/consumer\/([^:/]+):\d+$/;

/** The stream and consumer of a mapping's `eventSourceARN` (a stream ARN, or a stream consumer's ARN). */
export function kinesisSource(eventSourceArn: string): KinesisSource {
  const consumer = CONSUMER_ARN.exec(eventSourceArn);
  const streamArn = consumer?.[1] ?? eventSourceArn;
  return { streamArn, streamName: streamArn.split('/').pop() ?? '', consumer: consumer?.[2] };
}
