/**
 * The permissions boundary of the platform roles: what any role of the platform may ever be allowed,
 * derived from the inline policies the charts render. Every role carries it, and the IAM controller may
 * create a role, put its inline policy or change its trust only when the role carries it, so a
 * controller that is compromised, or a chart change that was not reviewed, cannot give a platform role
 * more than the platform's own actions on the platform's own resources. The boundary is created at
 * bootstrap by the platform team, not by the IAM controller, which must not be able to widen it.
 *
 * Statements of the same service and conditions are merged (actions and resources pooled) to fit IAM's
 * limit on a managed policy; the boundary is therefore wider than the union of the roles' statements,
 * but never reaches another service, another resource or drops a condition.
 */
import { MAX_MANAGED_POLICY_CHARS } from './documentJson';
import { compactLength } from './compactLength';
import type { ConditionBlock, IamPolicyDocument, IamStatement, RenderedObject } from './controllerPolicies';

/** The file below `manifests/<env>/controller-iam/` that holds the boundary. */
export const ROLE_BOUNDARY_FILE = 'iam-role-boundary.json';

interface RoleStatement {
  readonly Effect?: string;
  readonly Action?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: ConditionBlock;
}

const list = (value: string | readonly string[] | undefined): readonly string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : value);

/** The statements of every inline policy of every rendered IAM Role. */
function roleStatements(objects: readonly RenderedObject[]): RoleStatement[] {
  return objects
    .filter((object) => String(object.apiVersion).startsWith('iam.services.k8s.aws/') && object.kind === 'Role')
    .flatMap((role) => {
      const inline = ((role.spec ?? {}) as { inlinePolicies?: Record<string, string> }).inlinePolicies ?? {};
      return Object.values(inline).flatMap((json) => [(JSON.parse(json) as { Statement: RoleStatement | RoleStatement[] }).Statement].flat());
    });
}

/** The boundary of the rendered roles; throws if a role statement is not an Allow or the document outgrows IAM's limit. */
export function roleBoundaryDocument(objects: readonly RenderedObject[]): IamPolicyDocument {
  const groups = new Map<string, { service: string; actions: Set<string>; resources: Set<string>; condition?: ConditionBlock }>();
  for (const statement of roleStatements(objects)) {
    if (statement.Effect !== 'Allow') throw new Error(`role boundary: role statements are Allow only, got ${JSON.stringify(statement)}`);
    for (const action of list(statement.Action)) {
      const service = action.split(':')[0] ?? action;
      const key = `${service} ${JSON.stringify(statement.Condition ?? null)}`;
      const group = groups.get(key) ?? { service, actions: new Set<string>(), resources: new Set<string>(), ...(statement.Condition ? { condition: statement.Condition } : {}) };
      groups.set(key, group);
      group.actions.add(action);
      for (const resource of list(statement.Resource)) group.resources.add(resource);
    }
  }
  const counts = new Map<string, number>();
  const statements: IamStatement[] = [...groups.keys()].sort().map((key) => {
    const group = groups.get(key) as NonNullable<ReturnType<typeof groups.get>>;
    const index = (counts.get(group.service) ?? 0) + 1;
    counts.set(group.service, index);
    return {
      Sid: `${group.service.replace(/[^A-Za-z0-9]/g, '')}Group${index}`,
      Effect: 'Allow',
      Action: [...group.actions].sort(),
      Resource: [...group.resources].sort(),
      ...(group.condition ? { Condition: group.condition } : {}),
    };
  });
  const document: IamPolicyDocument = { Version: '2012-10-17', Statement: statements };
  const size = compactLength(JSON.stringify(document));
  if (size > MAX_MANAGED_POLICY_CHARS) {
    throw new Error(`role boundary: ${size} characters exceed IAM's ${MAX_MANAGED_POLICY_CHARS} for a managed policy; merge the roles' statements further (charts/lib/roleBoundary.ts)`);
  }
  return document;
}
