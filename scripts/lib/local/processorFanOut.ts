import type { LocalManifests } from './LocalManifests';

/**
 * The load test's `--fan-out`: the manifests as if the processor's mapping read through an enhanced fan-out
 * consumer registered on its stream (`kinesis-processor-<env>`, registered now), the design's option for the
 * processor's latency that the charts do not render (docs/local.md, finding 15). Only the mapping's event source
 * changes; the pipeline then runs the mapping as it runs any consumer's.
 */
export function processorFanOut(manifests: LocalManifests, registeredAt: number): LocalManifests {
  const processor = manifests.functions.find((f) => f.variables.DETECTOR_CONFIG !== undefined);
  const mapping = manifests.mappings.find((m) => m.functionObjectName === processor?.objectName);
  if (processor === undefined || mapping === undefined) throw new Error(`${manifests.directory}: no processor (a function with DETECTOR_CONFIG) with an event source mapping to read through a consumer`);
  const consumerArn = `${mapping.eventSourceArn}/consumer/kinesis-processor-${manifests.environment}:${Math.floor(registeredAt / 1000)}`;
  return { ...manifests, mappings: manifests.mappings.map((m) => (m === mapping ? { ...m, eventSourceArn: consumerArn } : m)) };
}
