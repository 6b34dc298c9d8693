import { NodeHttpHandler } from '@smithy/node-http-handler';
import { RETRY_POLICY } from './constants';

export interface SdkClientConfig {
  readonly maxAttempts: number;
  readonly requestHandler: NodeHttpHandler;
}

/**
 * Configuration shared by the functions' SDK clients: the SDK's own retries are off because
 * withRetry owns the policy (one place to reason about attempts, the deadline and the breaker),
 * and sockets time out well inside the attempt timeout. Region and endpoints come from the
 * environment (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>), which is how tests reach emulators.
 */
export function sdkClientConfig(): SdkClientConfig {
  return {
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 1000,
      requestTimeout: RETRY_POLICY.attemptTimeoutMs,
    }),
  };
}
