import { type ProofCheck } from './policyProofCatalog';
import { renderPlatformPolicies, type PlatformPolicies } from './policyProofRender';
import { PolicySimulator, type Decision } from './policyProofSimulator';
import { proofCatalog } from './proofCatalog';

/**
 * The policy proof: every policy document the charts render, evaluated with @cloud-copilot/iam-simulate
 * against the catalog of requests the platform must be allowed (its code's calls and what AWS services do
 * on its behalf) and must be refused (least privilege), identity and resource policies together.
 *
 * What the simulator cannot express, so the proof does not cover it:
 * - KMS grants: DynamoDB and Lambda use the key through grants they create (Lambda's lets a function's
 *   execution role decrypt its environment variables at start); the proof checks the CreateGrant the key
 *   policy and the controllers' policies allow and the callers' own kms: permissions, not the grants' use.
 * - SCPs, RCPs and permission boundaries of the real account: none is modelled (the account's are
 *   unknown here); a deny there would refuse what the proof allows.
 * - Service-linked behaviour: that the event source mapping, Firehose, the IoT rules and CloudWatch Logs
 *   call exactly these actions with exactly this context (kms:ViaService, kms:EncryptionContext:*,
 *   aws:SourceArn, the S3 encryption headers) is taken from AWS documentation and written into the
 *   catalog; Lambda's use of the key for environment variables (a grant) is not checked.
 * - Context keys its service data lacks (kms:EncryptionContext:*, the IoT policy variables and
 *   iot:Connection.*): decided by its unvalidated path, without an explanation of the decision.
 * - IoT-specific semantics: certificate/thing attachment, MQTT wildcards in topic filters, Basic Ingest
 *   routing and message size limits are IoT Core's; the proof resolves the policy variables from the
 *   context it is given and matches topic ARNs as IAM strings.
 * - Resource ids assigned at creation (key, subnet, security group, interface ids): examples stand in;
 *   the policies match them by pattern, alias or tag, which is what the proof checks.
 * - VPC endpoint policies are evaluated for the functions' calls through the DynamoDB, S3 and SNS
 *   endpoints, but routing (which calls really take an endpoint) is not.
 * - Quotas, eventual consistency of IAM, and CloudWatch Logs' special ARN forms.
 * - Controllers: the DynamoDB, EC2, IAM, KMS and Lambda controllers' policies are evaluated (the KMS
 *   controller's reach to other keys depends on the key policy, and other keys are judged against KMS's
 *   default key policy; the DynamoDB and Lambda controllers' calls must pass the table policies and the
 *   key policy); the others grant on exact ARNs and are checked as documents in
 *   test/charts/controllerPolicies.test.ts. Which API calls a controller makes is read from its source
 *   at the pinned tag and written into the catalog.
 */

export interface CheckOutcome {
  readonly check: ProofCheck;
  /** Undefined when the simulator refused the request (a bad catalog entry or document). */
  readonly decision: Decision | undefined;
  readonly error: string | undefined;
  readonly passed: boolean;
}

export interface ProofReport {
  readonly environment: string;
  readonly outcomes: readonly CheckOutcome[];
  /** Rendered documents no check evaluates. */
  readonly unexercised: readonly string[];
  readonly required: { readonly passed: number; readonly total: number };
  readonly forbidden: { readonly passed: number; readonly total: number };
  /** One line per failing check or unexercised document. */
  readonly failures: readonly string[];
  /** `policy proof <env>: required N/N allowed, forbidden M/M denied` */
  readonly summary: string;
  readonly ok: boolean;
}

/** Evaluates one request with the simulator and tells whether its expectation holds. */
async function evaluateCheck(simulator: PolicySimulator, check: ProofCheck): Promise<CheckOutcome> {
  try {
    const decision = await simulator.evaluate(check.request);
    const passed = check.expect === 'required' ? decision.result === 'Allowed' : decision.result !== 'Allowed';
    return { check, decision, error: undefined, passed };
  } catch (error) {
    return { check, decision: undefined, error: (error as Error).message, passed: false };
  }
}

function failureLine(environment: string, outcome: CheckOutcome): string {
  const { check, decision, error } = outcome;
  const what = `${check.title} [${check.request.action} ${check.request.resource}]`;
  if (error !== undefined) return `policy proof ${environment}: ERROR ${what}: ${error}`;
  const expected = check.expect === 'required' ? 'REQUIRED but' : 'FORBIDDEN but';
  return `policy proof ${environment}: ${expected} ${decision?.result}: ${what}: ${decision?.detail}`;
}

/** Runs the catalog of one environment against its policies, rendered now unless given. */
export async function runPolicyProof(environment: string, policies: PlatformPolicies = renderPlatformPolicies(environment)): Promise<ProofReport> {
  const simulator = new PolicySimulator(policies);
  const outcomes: CheckOutcome[] = [];
  for (const check of proofCatalog(policies)) outcomes.push(await evaluateCheck(simulator, check));
  const unexercised = policies.documents.map((document) => document.id).filter((id) => !simulator.exercised.has(id));
  const count = (expect: ProofCheck['expect']): { passed: number; total: number } => {
    const of = outcomes.filter((outcome) => outcome.check.expect === expect);
    return { passed: of.filter((outcome) => outcome.passed).length, total: of.length };
  };
  const required = count('required');
  const forbidden = count('forbidden');
  const failures = [
    ...outcomes.filter((outcome) => !outcome.passed).map((outcome) => failureLine(environment, outcome)),
    ...unexercised.map((id) => `policy proof ${environment}: no check evaluates ${id}`),
  ];
  return {
    environment,
    outcomes,
    unexercised,
    required,
    forbidden,
    failures,
    summary: `policy proof ${environment}: required ${required.passed}/${required.total} allowed, forbidden ${forbidden.passed}/${forbidden.total} denied`,
    ok: failures.length === 0,
  };
}
