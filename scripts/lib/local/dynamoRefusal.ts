import type { Authorization } from './RequestAuthorizer';

/** DynamoDB's 400 body for a refused request: AccessDeniedException, or UnrecognizedClientException for a key no identity has. */
export function dynamoRefusal(authorization: Exclude<Authorization, { outcome: 'allowed' }>): string {
  const type = authorization.outcome === 'unknown-key' ? 'com.amazon.coral.service#UnrecognizedClientException' : 'com.amazonaws.dynamodb.v20120810#AccessDeniedException';
  return JSON.stringify({ __type: type, message: authorization.message });
}
