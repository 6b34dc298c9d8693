/** A telemetry record's key in RunningFunction.deliveries: its partition key (the asset) and its newest reading ts. */
export function recordKey(partitionKey: string, newestReadingTs: number): string {
  return `${partitionKey}\n${newestReadingTs}`;
}
