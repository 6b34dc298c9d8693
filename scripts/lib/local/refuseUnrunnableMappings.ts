import { join } from 'node:path';
import type { LocalManifests, MappingSpec } from './LocalManifests';

/** Whether `spec.filterCriteria` filters anything: absent, `{}` and `{ filters: [] }` do not. */
function filters(criteria: unknown): boolean {
  if (criteria === undefined) return false;
  if (typeof criteria !== 'object' || criteria === null || Array.isArray(criteria)) return true;
  const entries = Object.entries(criteria);
  return entries.some(([key, value]) => key !== 'filters' || !Array.isArray(value) || value.length > 0);
}

/** The first setting of `mapping` the local pipeline cannot run as AWS would, as the message that refuses it. */
function unrunnable(mapping: MappingSpec, where: string): string | undefined {
  // Without a destination ACK sends an empty one, which AWS rejects (ARCHITECTURE.md, "Facts checked here");
  // and the pollers would have nowhere to put what they give up on.
  if (mapping.onFailureDestination === undefined || mapping.onFailureDestination === '') {
    return `${where}: spec.destinationConfig.onFailure.destination is missing; a deploy fails without it (ACK sends an empty destination, which AWS rejects), and the records the mapping gives up on would be lost`;
  }
  const refuse = (field: string, value: string, why: string): string => `${where}: spec.${field} ${value} cannot run locally (${why}); the local pipeline runs only what it can model`;
  if (mapping.parallelizationFactor !== 1) return refuse('parallelizationFactor', String(mapping.parallelizationFactor), 'it reads each shard with one poller, one batch at a time');
  if (mapping.tumblingWindowSeconds !== 0) return refuse('tumblingWindowInSeconds', String(mapping.tumblingWindowSeconds), 'it keeps no window state between invocations');
  if (filters(mapping.filterCriteria)) return refuse('filterCriteria', JSON.stringify(mapping.filterCriteria), 'it does not filter records');
  return undefined;
}

/**
 * Refuses, before anything starts, an event source mapping the local pipeline would have to approximate or
 * that a deploy would reject: no on-failure destination, a parallelization factor other than 1, a tumbling
 * window, filter criteria. Every mapping is checked, enabled or not, as a deploy creates them all. The message
 * names the mapping, its file, the field and the value, as the topic rules' refusals do.
 */
export function refuseUnrunnableMappings(manifests: Pick<LocalManifests, 'directory' | 'mappings'>): void {
  for (const mapping of manifests.mappings) {
    const refusal = unrunnable(mapping, `mapping ${mapping.objectName} (${join(manifests.directory, mapping.file)})`);
    if (refusal !== undefined) throw new Error(refusal);
  }
}
