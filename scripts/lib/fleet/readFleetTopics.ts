import type { LocalManifests } from '../local/LocalManifests';

/** Where the environment's devices publish: the telemetry rule's Basic Ingest prefix, the plant and its lines. */
export interface FleetTopics {
  readonly ruleName: string;
  readonly plantId: string;
  readonly lines: readonly string[];
  readonly devicePolicy: string;
}

/**
 * From the rendered manifests: the telemetry rule is the one whose FROM filter is `dt/<plant>/+/+/telemetry`
 * (data contract v1), and the lines are those the device policy lets a thing publish under.
 */
export function readFleetTopics(manifests: LocalManifests): FleetTopics {
  const rule = manifests.topicRules.find((r) => /FROM\s+'dt\/[^/']+\/\+\/\+\/telemetry'/i.test(r.sql));
  if (!rule) throw new Error(`--env ${manifests.environment}: no topic rule reads 'dt/<plant>/+/+/telemetry' in ${manifests.directory}`);
  const plantId = /FROM\s+'dt\/([^/']+)\//i.exec(rule.sql)?.[1] ?? '';
  const lines = new Set<string>();
  for (const statement of manifests.devicePolicy?.document.Statement ?? []) {
    const resources = typeof statement.Resource === 'string' ? [statement.Resource] : statement.Resource;
    for (const resource of resources) {
      const match = new RegExp(`topic/\\$aws/rules/${rule.name}/dt/${plantId}/([^/]+)/`).exec(resource);
      if (match?.[1]) lines.add(match[1]);
    }
  }
  if (lines.size === 0) throw new Error(`--env ${manifests.environment}: the device policy allows no line of plant ${plantId}`);
  return { ruleName: rule.name, plantId, lines: [...lines], devicePolicy: manifests.devicePolicy?.name ?? '' };
}
