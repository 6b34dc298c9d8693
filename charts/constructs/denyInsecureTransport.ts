import type { PolicyStatement } from './policyDocument';

/** Denies every request that does not arrive over TLS (the `aws:SecureTransport` idiom). */
export function denyInsecureTransport(sid: string, action: string | readonly string[], resource: string | readonly string[]): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: action,
    Resource: resource,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
