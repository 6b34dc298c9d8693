import { NodeHttpHandler } from '@smithy/node-http-handler';
import { RETRY_POLICY, SDK_CONNECTION_TIMEOUT_MS } from './constants';

export interface SdkClientConfig {
  readonly maxAttempts: number;
  readonly requestHandler: NodeHttpHandler;
}

export interface SdkClientSettings {
  /**
   * The SDK's own attempts.
   * @default 1 (withRetry owns the policy of the stream functions)
   */
  readonly maxAttempts?: number;
  /**
   * An attempt whose response has not come within this long fails with a TimeoutError.
   * @default RETRY_POLICY.attemptTimeoutMs
   */
  readonly attemptTimeoutMs?: number;
}

/**
 * Configuration of the functions' SDK clients. The stream functions keep the SDK's retries off because
 * withRetry owns the policy (one place to reason about attempts, the deadline and the breaker); the query
 * function, which serves one request rather than a batch, lets the SDK retry. Either way a stalled socket
 * fails its attempt: `throwOnRequestTimeout`, since without it the handler only logs a warning when
 * `requestTimeout` passes and keeps waiting. Region and endpoints come from the environment (AWS_REGION,
 * AWS_ENDPOINT_URL_<SERVICE>), which is how tests reach emulators.
 */
export function sdkClientConfig(settings: SdkClientSettings = {}): SdkClientConfig {
  return {
    maxAttempts: settings.maxAttempts ?? 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: SDK_CONNECTION_TIMEOUT_MS,
      requestTimeout: settings.attemptTimeoutMs ?? RETRY_POLICY.attemptTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  };
}
