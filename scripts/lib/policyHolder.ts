import type { ProofPrincipal } from './policyProofSimulator';

/** A role of the account whose only permissions are one rendered managed policy (operators, dashboards, analysts). */
export function policyHolder(policyName: string): ProofPrincipal {
  return { kind: 'operator', roleName: `operator-${policyName}`, policyName };
}
