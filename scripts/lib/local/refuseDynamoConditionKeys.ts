import type { RenderedDocument } from '../policyProofRender';
import type { AccessDocuments } from './LocalManifests';

/**
 * Refuses, before anything starts, a document whose statements condition on DynamoDB's own keys
 * (`dynamodb:LeadingKeys`, `dynamodb:Attributes`, `dynamodb:Select`, ...). Locally a DynamoDB call is decided by
 * role, action and table, without those keys: a statement on them would be judged as if the request had none,
 * and `ForAllValues` holds over no values, so an Allow scoped to some partition keys would allow every key. The
 * rendered documents name none; the message names the document, the statement and the key.
 */
export function refuseDynamoConditionKeys(access: AccessDocuments): void {
  const documents: RenderedDocument[] = [
    ...access.roles.flatMap((role) => role.inline),
    ...(access.roleBoundary === undefined ? [] : [access.roleBoundary]),
    ...access.managedPolicies.map(({ document }) => document),
    ...access.resourcePolicies.map(({ document }) => document),
    ...access.endpointPolicies.map(({ document }) => document),
  ];
  for (const { id, document } of documents) {
    const statements: ReadonlyArray<Record<string, unknown>> = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    for (const [index, statement] of statements.entries()) {
      const operators = isObject(statement.Condition) ? Object.values(statement.Condition) : [];
      const key = operators.flatMap((operands) => (isObject(operands) ? Object.keys(operands) : [])).find((candidate) => candidate.toLowerCase().startsWith('dynamodb:'));
      if (key !== undefined) {
        throw new Error(
          `${id} statement ${typeof statement.Sid === 'string' ? statement.Sid : String(index)} conditions on ${key}, which the local pipeline does not supply (it decides a DynamoDB call by role, action and table); the local pipeline runs only what it can model`,
        );
      }
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
