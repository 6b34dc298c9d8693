import { RETRY_POLICY } from './constants';
import type { RetryPolicy } from './withRetry';

/**
 * The pause before retry `attempt` (1 for the first retry), the full-jitter exponential backoff
 * RETRY_POLICY describes: up to min(maxDelayMs, baseDelayMs * 2^(attempt-1)).
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy = RETRY_POLICY, random: () => number = Math.random): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)) * random();
}
