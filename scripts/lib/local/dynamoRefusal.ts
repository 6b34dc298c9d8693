import type { Authorization } from './RequestAuthorizer';

/** DynamoDB's 400 body for a refused request: AccessDeniedException, or UnrecognizedClientException for a key no identity has. */
export function dynamoRefusal(authorization: Exclude<Authorization, { outcome: 'allowed' }>): string {
  const type = authorization.outcome === 'unknown-key' ? 'com.amazon.coral.service#UnrecognizedClientException' : 'com.amazonaws.dynamodb.v20120810#AccessDeniedException';
  return JSON.stringify({ __type: type, message: authorization.message });
}

/** The error dynalite answers an operation it does not run with (it gives no message; the local pipeline says why). */
export const UNSUPPORTED_OPERATION_TYPE = 'com.amazon.coral.service#UnknownOperationException';

/** The 400 body for an allowed request the local pipeline cannot run or cannot decide (`DynamoAccess.unsupported`). */
export function dynamoUnsupported(message: string): string {
  return JSON.stringify({ __type: UNSUPPORTED_OPERATION_TYPE, message });
}
