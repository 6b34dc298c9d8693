import { CircuitBreaker } from './CircuitBreaker';
import { RETRY_POLICY } from './constants';
import { Deadline } from './Deadline';
import { CircuitOpenError, DeadlineExceededError, TransientDependencyError } from './errors';
import { isTransientError } from './isTransientError';
import { sleep as realSleep } from './sleep';
import { backoffDelayMs } from './backoffDelayMs';
import { errorSummary } from './errorSummary';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly attemptTimeoutMs: number;
}

export interface RetryOptions {
  readonly breaker: CircuitBreaker;
  readonly deadline: Deadline;
  readonly policy?: RetryPolicy;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * Runs a dependency call through its circuit breaker, retrying transient failures with
 * full-jitter exponential backoff while the invocation has time. Each attempt gets an abort
 * signal bounded by the attempt timeout and the deadline.
 *
 * Rethrows a non-transient error unchanged (the caller may expect it, e.g. a failed DynamoDB
 * condition); a transient one that outlasts the attempts or the deadline becomes
 * TransientDependencyError; an open circuit fails at once with CircuitOpenError.
 */
export async function withRetry<T>(operation: (signal: AbortSignal) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? RETRY_POLICY;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const { breaker, deadline } = options;
  for (let attempt = 1; ; attempt += 1) {
    const remaining = deadline.remainingMs();
    if (remaining <= 0) {
      throw new DeadlineExceededError(`no time left to call ${breaker.dependency} (attempt ${attempt})`);
    }
    try {
      const signal = AbortSignal.timeout(Math.max(1, Math.min(policy.attemptTimeoutMs, remaining)));
      return await breaker.execute(() => operation(signal));
    } catch (error) {
      if (error instanceof CircuitOpenError || !isTransientError(error)) throw error;
      const delay = backoffDelayMs(attempt, policy, random);
      if (attempt >= policy.maxAttempts || delay >= deadline.remainingMs()) {
        throw new TransientDependencyError(
          breaker.dependency,
          `${breaker.dependency} failed after ${attempt} attempt(s): ${errorSummary(error)}`,
          { cause: error },
        );
      }
      await sleep(delay);
    }
  }
}
