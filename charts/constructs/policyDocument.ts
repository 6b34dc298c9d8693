/**
 * Resource policies (KMS key, S3 bucket, SQS queue, SNS topic, VPC endpoint) are JSON strings in
 * the CRDs. These types keep their statements checked by the compiler and their JSON stable: keys
 * are always written in the same order, so the rendered manifest does not churn between syntheses.
 */
import { documentJson } from '../lib/documentJson';

export type PolicyPrincipal = '*' | { readonly AWS: string | readonly string[] } | { readonly Service: string | readonly string[] };

/** Condition operator -> condition key -> value(s), as in IAM's policy grammar. */
export type PolicyConditions = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: PolicyPrincipal;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  /** @default - unconditional */
  readonly Condition?: PolicyConditions;
}

/** The policy as the JSON string the CRDs expect, indented one statement per block (see documentJson). */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  const sids = statements.map((statement) => statement.Sid);
  // IAM accepts only alphanumeric Sids; holding every service's policy to that keeps them portable.
  const invalid = sids.find((sid) => !/^[A-Za-z0-9]+$/.test(sid));
  if (invalid !== undefined) throw new Error(`policyDocument: statement Sid must match [A-Za-z0-9]+, got "${invalid}"`);
  const duplicate = sids.find((sid, index) => sids.indexOf(sid) !== index);
  if (duplicate !== undefined) throw new Error(`policyDocument: statement Sid must be unique, got "${duplicate}" twice`);
  return documentJson({
    Version: '2012-10-17',
    Statement: statements.map(({ Sid, Effect, Principal, Action, Resource, Condition }) => ({
      Sid,
      Effect,
      Principal,
      Action,
      Resource,
      ...(Condition === undefined ? {} : { Condition }),
    })),
  });
}
