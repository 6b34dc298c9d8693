import { type AccessRequest, type ProofPrincipal } from './policyProofSimulator';

/** Whether AWS must allow the request (the platform breaks otherwise) or must deny it (least privilege). */
export type Expectation = 'required' | 'forbidden';

export interface ProofCheck {
  readonly expect: Expectation;
  /** Who does what on what, and why it matters: the check's line when it fails. */
  readonly title: string;
  readonly request: AccessRequest;
  /**
   * For calls the code makes: the resources of real calls this check stands for (`*` = any characters),
   * beside its own request resource. The fakes' recorded calls must each fall under a required check.
   */
  readonly covers?: string;
}

/** A role of the account with full IAM permissions: shows what the resource policies deny on their own. */
export const ADMINISTRATOR: ProofPrincipal = { kind: 'administrator', roleName: 'account-administrator' };
