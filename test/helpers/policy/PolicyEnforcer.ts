import type { EvaluationResult } from '@cloud-copilot/iam-simulate';
import { type ProofCheck } from '../../../scripts/lib/policyProofCatalog';
import { renderPlatformPolicies, type PlatformPolicies } from '../../../scripts/lib/policyProofRender';
import { PolicySimulator, type AccessRequest, type ContextValues, type ProofPrincipal } from '../../../scripts/lib/policyProofSimulator';
import { proofCatalog } from '../../../scripts/lib/proofCatalog';
import { redriveOperator } from '../../../scripts/lib/redriveOperator';

/**
 * The access key id each test client signs with names the principal the fakes authorize it as: the SDK
 * puts it in the SigV4 Authorization header (`Credential=<key id>/...`), as AWS reads it.
 */
export const TEST_ACCESS_KEYS = {
  processor: 'AKIAPROCESSORROLE000',
  storer: 'AKIASTORERROLE000000',
  redrive: 'AKIAREDRIVEOPERATOR0',
} as const;

export type TestIdentity = keyof typeof TEST_ACCESS_KEYS;

/** One request a fake served, as authorized. */
export interface RecordedCall {
  readonly identity: TestIdentity;
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly result: EvaluationResult;
}

export interface AuthorizationRequest {
  /** The request's Authorization header. */
  readonly authorization: string | undefined;
  /** `service:Action` */
  readonly action: string;
  /** Every resource the request touches (a batch names several tables). */
  readonly resources: readonly string[];
  readonly context?: ContextValues;
}

/** The fake's answer: allowed, refused by policy, or signed with a key no identity has. */
export type Authorization =
  | { readonly outcome: 'allowed' }
  | { readonly outcome: 'denied'; readonly message: string }
  | { readonly outcome: 'unknown-key'; readonly message: string };

const rendered = new Map<string, PlatformPolicies>();

/** The environment's documents, rendered in memory once per test file (rendering bundles the functions). */
export function platformPolicies(environment: string): PlatformPolicies {
  const policies = rendered.get(environment) ?? renderPlatformPolicies(environment);
  rendered.set(environment, policies);
  return policies;
}

/** `*` in a pattern matches any characters, everything else itself. */
function globMatches(pattern: string, value: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(value);
}

/**
 * Authorizes the requests the local fakes receive against the rendered identity, resource and VPC endpoint
 * policies of the environment, with the policy proof's simulator, and records every call it decides.
 * A fake that is given an enforcer answers a denied request with its service's AccessDenied error.
 */
export class PolicyEnforcer {
  readonly calls: RecordedCall[] = [];
  /** Requests the simulator could not decide (a bug of the fake or the catalog): they are denied. */
  readonly errors: string[] = [];
  readonly policies: PlatformPolicies;
  readonly #simulator: PolicySimulator;
  /** Decisions by principal, action, resource and context: the fakes see the same few calls many times. */
  readonly #decided = new Map<string, Promise<EvaluationResult>>();

  constructor(readonly environment = 'dev') {
    this.policies = platformPolicies(environment);
    this.#simulator = new PolicySimulator(this.policies);
  }

  /** Credentials for an SDK client that acts as `identity`. */
  credentials(identity: TestIdentity): { accessKeyId: string; secretAccessKey: string } {
    return { accessKeyId: TEST_ACCESS_KEYS[identity], secretAccessKey: 'secret' };
  }

  principalOf(identity: TestIdentity): ProofPrincipal {
    const { names } = this.policies;
    if (identity === 'processor') return { kind: 'role', roleName: names.processorRole };
    if (identity === 'storer') return { kind: 'role', roleName: names.storerRole };
    return redriveOperator(this.policies);
  }

  tableArn(tableName: string): string {
    return this.policies.names.tableArn(tableName);
  }

  streamArn(streamName: string): string {
    return this.policies.names.streamArn.replace(this.policies.names.stream, streamName);
  }

  functionArn(functionNameOrArn: string): string {
    return functionNameOrArn.startsWith('arn:') ? functionNameOrArn : this.policies.names.functionArn(functionNameOrArn);
  }

  /** `https://sqs.<region>.amazonaws.com/<account>/<queue>` (or a local endpoint's `/<account>/<queue>`) to the queue's ARN. */
  queueArn(queueUrl: string): string {
    const [account = '', queue = ''] = new URL(queueUrl).pathname.split('/').filter((part) => part !== '');
    return `arn:aws:sqs:${this.policies.config.region}:${account}:${queue}`;
  }

  async authorize(request: AuthorizationRequest): Promise<Authorization> {
    const accessKeyId = /Credential=([^/]+)\//.exec(request.authorization ?? '')?.[1];
    const identity = (Object.keys(TEST_ACCESS_KEYS) as TestIdentity[]).find((id) => TEST_ACCESS_KEYS[id] === accessKeyId);
    if (identity === undefined) return { outcome: 'unknown-key', message: `The security token included in the request is invalid (access key ${accessKeyId ?? 'missing'})` };
    const principal = this.principalOf(identity);
    const principalArn = this.#simulator.principalArn(principal);
    const service = request.action.split(':')[0] ?? '';
    // The functions run in the VPC: their calls to services with an endpoint pass its policy.
    const endpoint = principal.kind === 'role' && this.policies.endpointPolicies.has(service) ? service : undefined;
    for (const resource of request.resources) {
      const result = await this.#decide({ principal, action: request.action, resource, context: request.context ?? {}, ...(endpoint ? { endpoint } : {}) });
      this.calls.push({ identity, principal: principalArn, action: request.action, resource, result });
      if (result !== 'Allowed') {
        const how = result === 'ExplicitlyDenied' ? 'with an explicit deny' : 'because no identity-based or resource-based policy allows the action';
        return { outcome: 'denied', message: `User: ${principalArn} is not authorized to perform: ${request.action} on resource: ${resource} ${how}` };
      }
    }
    return { outcome: 'allowed' };
  }

  #decide(request: AccessRequest): Promise<EvaluationResult> {
    const key = JSON.stringify(request);
    const known = this.#decided.get(key);
    if (known) return known;
    const decision = this.#simulator.evaluate(request).then(
      ({ result }) => result,
      (error: unknown) => {
        this.errors.push((error as Error).message);
        return 'ImplicitlyDenied' as const;
      },
    );
    this.#decided.set(key, decision);
    return decision;
  }

  /** The required checks of the proof's catalog. */
  requiredChecks(): ProofCheck[] {
    return proofCatalog(this.policies).filter((check) => check.expect === 'required');
  }

  /**
   * Recorded calls no required check of the proof stands for, as `principal action resource` lines: the
   * catalog must list every call the code makes, so it cannot drift from the code.
   */
  uncataloguedCalls(): string[] {
    const checks = this.requiredChecks();
    const lines = this.calls
      .filter((call) => {
        const covered = checks.some((check) => {
          if (check.request.action !== call.action || this.#simulator.principalArn(check.request.principal) !== call.principal) return false;
          return check.request.resource === call.resource || (check.covers !== undefined && globMatches(check.covers, call.resource));
        });
        return !covered;
      })
      .map((call) => `${call.principal} ${call.action} ${call.resource}`);
    return [...new Set(lines)];
  }

  /** Recorded calls the policies denied, as `principal action resource` lines. */
  deniedCalls(): string[] {
    return [...new Set(this.calls.filter((call) => call.result !== 'Allowed').map((call) => `${call.principal} ${call.action} ${call.resource}`))];
  }
}
