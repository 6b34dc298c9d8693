import type { EvaluationResult } from '@cloud-copilot/iam-simulate';
import { policyHolder } from '../policyHolder';
import { PolicySimulator, type AccessRequest, type ContextValues, type ProofPrincipal } from '../policyProofSimulator';
import { OPERATOR_SESSION, QUERY_OPERATOR_POLICY_PREFIX } from './constants';
import type { FunctionSpec, LocalManifests } from './LocalManifests';
import { localPolicies } from './localPolicies';
import type { Authorization, AuthorizationRequest, RequestAuthorizer } from './RequestAuthorizer';

/** Who signs a request the fakes receive: the code of one function, as its execution role. */
interface SigningIdentity {
  readonly roleName: string;
  /** The session Lambda opens for the function (its name), which AWS names in a refusal. */
  readonly session: string;
  readonly inVpc: boolean;
}

/** A call an AWS service makes as a role on the platform's behalf (a mapping's reads and dead letters, a topic rule's actions). */
export interface ServiceCall {
  readonly roleName: string;
  /** The session name AWS gives it (the function's name for a mapping), for the refusal's message. */
  readonly session: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: ContextValues;
}

/**
 * Decides every call of the local pipeline against the rendered identity policies (with the roles' permissions
 * boundary when it is beside the manifests), resource policies and, for a function in the VPC, the endpoint
 * policies, with the policy proof's simulator. The functions sign with an access key that names their role;
 * what AWS services do as a role (a mapping reading the stream and dead-lettering, a topic rule's actions) is
 * asked for in process with `authorizeAs`. Decisions are kept: the pipeline makes the same few calls many times.
 */
export class LocalPolicyEnforcer implements RequestAuthorizer {
  /** `principal action resource: why` of each distinct refusal, for the pipeline's report. */
  readonly denials: string[] = [];
  readonly #simulator: PolicySimulator;
  readonly #region: string;
  readonly #accountId: string;
  readonly #identities = new Map<string, SigningIdentity>();
  readonly #decided = new Map<string, Promise<EvaluationResult>>();
  readonly #functions: readonly FunctionSpec[];
  /** Who the operator tools are: a role whose only permissions are the rendered query operator policy. */
  readonly #operator: ProofPrincipal & { readonly kind: 'operator' };

  constructor(manifests: LocalManifests) {
    this.#simulator = new PolicySimulator(localPolicies(manifests));
    this.#region = manifests.region;
    this.#accountId = manifests.accountId;
    manifests.functions.forEach((fn, index) => {
      if (fn.roleName !== undefined) this.#identities.set(accessKeyOf(index), { roleName: fn.roleName, session: fn.name, inVpc: fn.inVpc });
    });
    this.#functions = manifests.functions;
    // Without the policy in the manifests the operator has no permission, and every request of a tool is refused.
    const operatorPolicy = manifests.access.managedPolicies.find(({ name }) => name.startsWith(QUERY_OPERATOR_POLICY_PREFIX))?.name ?? `${QUERY_OPERATOR_POLICY_PREFIX}${manifests.environment}`;
    this.#operator = policyHolder(operatorPolicy) as ProofPrincipal & { readonly kind: 'operator' };
  }

  /** The credentials the code of `fn` signs with (Lambda hands a function its role's session credentials). */
  credentialsOf(fn: FunctionSpec): { accessKeyId: string; secretAccessKey: string } {
    return { accessKeyId: accessKeyOf(this.#functions.findIndex((candidate) => candidate.objectName === fn.objectName)), secretAccessKey: 'local' };
  }

  tableArn(table: string): string {
    return `arn:aws:dynamodb:${this.#region}:${this.#accountId}:table/${table}`;
  }

  streamArn(stream: string): string {
    return `arn:aws:kinesis:${this.#region}:${this.#accountId}:stream/${stream}`;
  }

  /** `http://127.0.0.1:port/<account>/<queue>` (or SQS's own URL) to the queue's ARN. */
  queueArn(queueUrl: string): string {
    const [account = '', queue = ''] = new URL(queueUrl).pathname.split('/').filter((part) => part !== '');
    return `arn:aws:sqs:${this.#region}:${account}:${queue}`;
  }

  /** A request a function's code sent to a fake, by the access key it signed with. */
  async authorize(request: AuthorizationRequest): Promise<Authorization> {
    const accessKeyId = /Credential=([^/]+)\//.exec(request.authorization ?? '')?.[1];
    const identity = accessKeyId === undefined ? undefined : this.#identities.get(accessKeyId);
    if (identity === undefined) return { outcome: 'unknown-key', message: `The security token included in the request is invalid (access key ${accessKeyId ?? 'missing'})` };
    const service = request.action.split(':')[0] ?? '';
    const endpoint = identity.inVpc && this.#simulator.policies.endpointPolicies.has(service) ? service : undefined;
    for (const resource of request.resources) {
      const call = { roleName: identity.roleName, session: identity.session, action: request.action, resource, ...(request.context ? { context: request.context } : {}) };
      const decision = await this.#decide(call, endpoint);
      if (decision.outcome !== 'allowed') return decision;
    }
    return { outcome: 'allowed' };
  }

  /** A call an AWS service makes as `call.roleName` (outside the functions' VPC). */
  authorizeAs(call: ServiceCall): Promise<Authorization> {
    return this.#decide(call, undefined);
  }

  /**
   * A request of an operator tool (`npm run query -- --local`, which signs with the harness's key): decided as
   * a role whose only permissions are the rendered `iam-query-operator-<suffix>` policy, the one its docs have
   * operators attach, from outside the VPC (no endpoint policy), as the tool runs in AWS.
   */
  async authorizeOperator(action: string, resources: readonly string[]): Promise<Authorization> {
    for (const resource of resources) {
      const decision = await this.#decide({ roleName: this.#operator.roleName, session: OPERATOR_SESSION, action, resource }, undefined, this.#operator);
      if (decision.outcome !== 'allowed') return decision;
    }
    return { outcome: 'allowed' };
  }

  async #decide(call: ServiceCall, endpoint: string | undefined, principal: ProofPrincipal = { kind: 'role', roleName: call.roleName }): Promise<Authorization> {
    const request: AccessRequest = {
      principal,
      action: call.action,
      resource: call.resource,
      context: call.context ?? {},
      ...(endpoint === undefined ? {} : { endpoint }),
    };
    const key = JSON.stringify(request);
    let decision = this.#decided.get(key);
    if (decision === undefined) {
      // A request the simulator cannot decide (a role the manifests lack, a malformed document) is refused, with why.
      decision = this.#simulator.evaluate(request).then(
        ({ result }) => result,
        (error: unknown) => {
          this.#deny(call, (error as Error).message);
          return 'ImplicitlyDenied' as const;
        },
      );
      this.#decided.set(key, decision);
    }
    const result = await decision;
    if (result === 'Allowed') return { outcome: 'allowed' };
    const how = result === 'ExplicitlyDenied' ? 'with an explicit deny' : 'because no identity-based or resource-based policy allows the action';
    const message = `User: arn:aws:sts::${this.#accountId}:assumed-role/${call.roleName}/${call.session} is not authorized to perform: ${call.action} on resource: ${call.resource} ${how}`;
    this.#deny(call, how);
    return { outcome: 'denied', message };
  }

  #deny(call: ServiceCall, why: string): void {
    const line = `${call.roleName} ${call.action} ${call.resource}: ${why}`;
    if (!this.denials.includes(line)) this.denials.push(line);
  }
}

/** The access key of the manifests' `index`th function: 20 characters, as AWS's, and nothing any other signer uses. */
function accessKeyOf(index: number): string {
  return `ASIALOCALFUNCTION${String(index).padStart(3, '0')}`;
}
