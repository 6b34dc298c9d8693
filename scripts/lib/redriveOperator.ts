import { policyHolder } from './policyHolder';
import type { PlatformPolicies } from './policyProofRender';
import type { ProofPrincipal } from './policyProofSimulator';

/** The role operators run the redrive tool with: only the rendered redrive policy attached. */
export function redriveOperator(policies: PlatformPolicies): ProofPrincipal {
  return policyHolder(policies.names.redrivePolicy);
}
