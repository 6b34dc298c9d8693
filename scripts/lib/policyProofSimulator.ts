import { createValidatedPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy';
import { runSimulation, runUnsafeSimulation, type EvaluationResult, type RequestAnalysis, type Simulation } from '@cloud-copilot/iam-simulate';
import type { ControllerId } from '../../charts/lib/controllerPolicies';
import type { PlatformPolicies, RenderedDocument } from './policyProofRender';

/**
 * Who makes a request.
 * - `role`: a session of a rendered IAM role (its inline policies are the identity policies);
 * - `operator`: a role outside the charts whose only permissions are a rendered managed policy;
 * - `administrator`: a role of the account allowed everything by IAM (not rendered): what resource
 *   policies and the key policy refuse on their own;
 * - `service`: an AWS service principal acting on its own (`cloudwatch.amazonaws.com`, ...);
 * - `device`: an IoT certificate, whose identity policy is the rendered device policy;
 * - `foreign`: a role of another account allowed everything by its own IAM: what only a resource policy could open;
 * - `controller`: a controller's role (`<controller>-<suffix>`, created at bootstrap) with its rendered controller-iam/ policy.
 */
export type ProofPrincipal =
  | { readonly kind: 'role'; readonly roleName: string }
  | { readonly kind: 'operator'; readonly roleName: string; readonly policyName: string }
  | { readonly kind: 'administrator'; readonly roleName: string }
  | { readonly kind: 'service'; readonly service: string }
  | { readonly kind: 'device'; readonly certificateId: string }
  | { readonly kind: 'foreign'; readonly accountId: string; readonly roleName: string }
  | { readonly kind: 'controller'; readonly controller: ControllerId };

export type ContextValues = Readonly<Record<string, string | readonly string[]>>;

/** One request as AWS would authorize it. */
export interface AccessRequest {
  readonly principal: ProofPrincipal;
  readonly action: string;
  readonly resource: string;
  /** Request context beyond the defaults `contextFor` adds. */
  readonly context?: ContextValues;
  /** The VPC endpoint the request goes through (calls of the functions, which run in the VPC). */
  readonly endpoint?: string;
}

/**
 * What the simulator reads of an environment's documents: the charts' rendering (`PlatformPolicies`, the
 * proof and the tests) or the rendered manifests the local pipeline runs (`localPolicies`).
 */
export type SimulatedPolicies = Pick<PlatformPolicies, 'roles' | 'managedPolicies' | 'keyPolicy' | 'controllerPolicies' | 'resourcePolicies' | 'devicePolicy' | 'endpointPolicies'> & {
  readonly config: Pick<PlatformPolicies['config'], 'region' | 'accountId'>;
  readonly names: Pick<PlatformPolicies['names'], 'roleArn' | 'controllerRoleName' | 'roleBoundaryArn'>;
  /** Undefined when the boundary file is not beside the manifests: then no role's boundary is evaluated. */
  readonly roleBoundary: RenderedDocument | undefined;
};

export interface Decision {
  readonly result: EvaluationResult;
  /** The decisive statements, or why none applied. */
  readonly detail: string;
}

/**
 * The one key id the proof gives the platform key: the real id is assigned by KMS at creation, and
 * every policy names the key by `key/*` narrowed by alias, or (key policy) by "*".
 */
export const PLATFORM_KEY_ID = '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

/**
 * The policy KMS gives a key created without one, and the console's default: the account decides
 * through IAM. Any key of the account other than the platform key is judged against it.
 */
function defaultKeyPolicy(accountId: string): RenderedDocument {
  return {
    id: 'default key policy of another key of the account (not rendered)',
    document: { Version: '2012-10-17', Statement: [{ Sid: 'EnableIAMUserPermissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' }] },
  };
}

/** The identity policy of the `administrator` principal (AdministratorAccess). */
const ADMINISTRATOR_ACCESS: RenderedDocument = {
  id: 'AdministratorAccess (not rendered)',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/**
 * Context keys the simulator's service data does not list for the actions that carry them in AWS
 * (its validated path would drop them): requests with these are decided by its unvalidated path,
 * after the validated path has checked the policies, the action and the resource type.
 */
const KEYS_MISSING_FROM_SIMULATOR_DATA = [/^kms:encryptioncontext:/i, /^iot:/i];

/**
 * Decides requests against the rendered documents with @cloud-copilot/iam-simulate, as AWS evaluates a
 * same-account request: an explicit Deny in any policy wins; a role's permissions boundary must allow
 * what its identity policies allow; otherwise an Allow in the identity or the
 * resource policy suffices, except for KMS keys (the key policy must allow, directly or through the
 * account root) and role trust (the trust policy must allow the service); a VPC endpoint policy, when
 * the request passes one, must allow too.
 */
export class PolicySimulator {
  /** Ids of the documents some request was evaluated against. */
  readonly exercised = new Set<string>();

  constructor(readonly policies: SimulatedPolicies) {}

  principalArn(principal: ProofPrincipal): string {
    const { names, config } = this.policies;
    switch (principal.kind) {
      case 'role':
      case 'operator':
      case 'administrator':
        return names.roleArn(principal.roleName);
      case 'controller':
        return names.roleArn(names.controllerRoleName(principal.controller));
      case 'service':
        return principal.service;
      case 'device':
        return `arn:aws:iot:${config.region}:${config.accountId}:cert/${principal.certificateId}`;
      case 'foreign':
        return `arn:aws:iam::${principal.accountId}:role/${principal.roleName}`;
    }
  }

  /** What AWS adds to every request of this principal; the request's own context wins. */
  contextFor(request: AccessRequest): Record<string, string | string[]> {
    const { config } = this.policies;
    const defaults: Record<string, string | string[]> = {};
    if (request.principal.kind !== 'device') {
      defaults['aws:SecureTransport'] = 'true';
      defaults['aws:RequestedRegion'] = config.region;
    }
    if (request.principal.kind === 'role' || request.principal.kind === 'operator' || request.principal.kind === 'administrator' || request.principal.kind === 'controller') {
      defaults['aws:PrincipalArn'] = this.principalArn(request.principal);
      defaults['aws:PrincipalAccount'] = config.accountId;
    }
    if (request.principal.kind === 'foreign') {
      defaults['aws:PrincipalArn'] = this.principalArn(request.principal);
      defaults['aws:PrincipalAccount'] = request.principal.accountId;
    }
    if (request.principal.kind === 'service') defaults['aws:PrincipalServiceName'] = request.principal.service;
    const given = Object.fromEntries(Object.entries(request.context ?? {}).map(([key, value]) => [key, typeof value === 'string' ? value : [...value]]));
    return { ...defaults, ...given };
  }

  async evaluate(request: AccessRequest): Promise<Decision> {
    const { config } = this.policies;
    const identity = this.#identityDocuments(request.principal);
    const boundary = this.#boundaryDocument(request.principal);
    const resource = this.#resourceDocument(request);
    const endpoint = request.endpoint === undefined ? undefined : this.policies.endpointPolicies.get(request.endpoint);
    if (request.endpoint !== undefined && endpoint === undefined) throw new Error(`policy proof: no VPC endpoint policy for ${request.endpoint}`);
    for (const document of [...identity, boundary, resource, endpoint]) if (document && document !== ADMINISTRATOR_ACCESS) this.exercised.add(document.id);

    const simulation: Simulation = {
      request: {
        principal: this.#requestPrincipal(request.principal),
        action: request.action,
        resource: { resource: request.resource, accountId: config.accountId },
        contextVariables: this.contextFor(request),
      },
      identityPolicies: identity.map((document) => ({ name: document.id, policy: document.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      // Validated with its name: the unvalidated path would otherwise load it without one and fail.
      ...(resource ? { resourcePolicy: createValidatedPolicy(resource.document, validateResourcePolicy, { name: resource.id }) } : {}),
      ...(endpoint ? { vpcEndpointPolicies: [{ name: endpoint.id, policy: endpoint.document }] } : {}),
      ...(boundary ? { permissionBoundaryPolicies: [{ name: boundary.id, policy: boundary.document }] } : {}),
    };
    const validated = await runSimulation(simulation, {});
    if (validated.resultType === 'error') {
      throw new Error(`policy proof: the simulator refused ${request.action} on ${request.resource}: ${validated.errors.message} ${JSON.stringify(validated.errors)}`);
    }
    if (validated.resultType !== 'single') throw new Error(`policy proof: ${request.resource} is a pattern; requests must name one resource`);
    const ignored = validated.result.ignoredContextKeys ?? [];
    const unexpected = ignored.filter((key) => !KEYS_MISSING_FROM_SIMULATOR_DATA.some((pattern) => pattern.test(key)));
    if (unexpected.length > 0) throw new Error(`policy proof: context keys ${unexpected.join(', ')} do not apply to ${request.action} on ${request.resource}`);

    const detail = describe(validated.result.analysis, resource?.id);
    if (ignored.length === 0) return { result: validated.overallResult, detail };
    // The validated run dropped the keys above, so only the unvalidated run sees the whole context.
    const result = runUnsafeSimulation(simulation, {});
    return { result, detail: result === validated.overallResult ? detail : `decided with ${ignored.join(', ')}` };
  }

  #requestPrincipal(principal: ProofPrincipal): string {
    if (principal.kind === 'role' || principal.kind === 'operator' || principal.kind === 'administrator' || principal.kind === 'controller') {
      // A role acts through a session; identity policies are the role's, aws:PrincipalArn the role's ARN.
      const roleName = principal.kind === 'controller' ? this.policies.names.controllerRoleName(principal.controller) : principal.roleName;
      return `arn:aws:sts::${this.policies.config.accountId}:assumed-role/${roleName}/proof-session`;
    }
    if (principal.kind === 'foreign') return `arn:aws:sts::${principal.accountId}:assumed-role/${principal.roleName}/proof-session`;
    return this.principalArn(principal);
  }

  #identityDocuments(principal: ProofPrincipal): readonly RenderedDocument[] {
    switch (principal.kind) {
      case 'role': {
        const role = this.policies.roles.get(principal.roleName);
        if (!role) throw new Error(`policy proof: no rendered role ${principal.roleName}`);
        return role.inline;
      }
      case 'operator': {
        const policy = this.policies.managedPolicies.get(principal.policyName);
        if (!policy) throw new Error(`policy proof: no rendered policy ${principal.policyName}`);
        return [policy];
      }
      case 'administrator':
      case 'foreign':
        return [ADMINISTRATOR_ACCESS];
      case 'service':
        return [];
      case 'device':
        return [this.policies.devicePolicy];
      case 'controller': {
        const policy = this.policies.controllerPolicies.get(principal.controller);
        if (!policy) throw new Error(`policy proof: no controller policy of ${principal.controller} is checked`);
        return [policy];
      }
    }
  }

  /** A rendered role's permissions boundary: the platform's, which is the only one the charts may set. */
  #boundaryDocument(principal: ProofPrincipal): RenderedDocument | undefined {
    if (principal.kind !== 'role') return undefined;
    const boundary = this.policies.roles.get(principal.roleName)?.boundary;
    if (boundary === undefined) return undefined;
    if (boundary !== this.policies.names.roleBoundaryArn) throw new Error(`policy proof: role ${principal.roleName} names the boundary ${boundary}, not ${this.policies.names.roleBoundaryArn}`);
    return this.policies.roleBoundary;
  }

  #resourceDocument(request: AccessRequest): RenderedDocument | undefined {
    const { resource, action } = request;
    if (action.toLowerCase() === 'sts:assumerole') {
      const roleName = /^arn:aws:iam::\d{12}:role\/(.+)$/.exec(resource)?.[1];
      const role = roleName === undefined ? undefined : this.policies.roles.get(roleName);
      if (!role) throw new Error(`policy proof: no rendered role for ${resource}`);
      return role.trust;
    }
    if (resource.startsWith('arn:aws:kms:') && /:key\//.test(resource)) {
      return resource.endsWith(`:key/${PLATFORM_KEY_ID}`) ? this.policies.keyPolicy : defaultKeyPolicy(this.policies.config.accountId);
    }
    if (resource.startsWith('arn:aws:s3:::')) {
      const bucket = resource.slice('arn:aws:s3:::'.length).split('/')[0] ?? '';
      return this.policies.resourcePolicies.get(`arn:aws:s3:::${bucket}`);
    }
    // An index has no policy of its own: its table's governs it, where that policy names the index's ARN.
    const index = /^(arn:aws:dynamodb:[^:]*:\d{12}:table\/[^/]+)\/index\/[^/]+$/.exec(resource);
    if (index) return this.policies.resourcePolicies.get(index[1] ?? '');
    return this.policies.resourcePolicies.get(resource);
  }
}

type Analysis = RequestAnalysis;
type StatementAnalysis = NonNullable<Analysis['identityAnalysis']>['allowStatements'][number];

/** The decisive statements of an analysis, named `<document> <Sid>`. */
function describe(analysis: Analysis, resourceId: string | undefined): string {
  const name = (statement: StatementAnalysis, fallback: string | undefined): string => {
    const sid = statement.statement.sid() ?? `statement ${statement.statement.index()}`;
    return `${statement.policyId || fallback || 'policy'} ${sid}`;
  };
  const parts = [
    { label: 'identity', part: analysis.identityAnalysis, fallback: undefined },
    { label: 'resource', part: analysis.resourceAnalysis, fallback: resourceId },
    { label: 'endpoint', part: analysis.endpointAnalysis, fallback: 'endpoint policy' },
  ];
  const denies = parts.flatMap(({ part, fallback }) => (part?.denyStatements ?? []).map((statement) => name(statement, fallback)));
  if (denies.length > 0) return `denied by ${denies.join(', ')}`;
  const allows = parts.flatMap(({ part, fallback }) => (part?.allowStatements ?? []).map((statement) => name(statement, fallback)));
  const results = parts.filter(({ part }) => part !== undefined).map(({ label, part }) => `${label} ${part?.result}`);
  return allows.length > 0 ? `allowed by ${allows.join(', ')} (${results.join(', ')})` : `no statement allows (${results.join(', ')})`;
}
