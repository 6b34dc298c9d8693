/** Partition key of a sensor in the readings table: `<assetId>#<metric>` ('#' cannot occur in either). */
export function sensorIdOf(assetId: string, metric: string): string {
  return `${assetId}#${metric}`;
}
