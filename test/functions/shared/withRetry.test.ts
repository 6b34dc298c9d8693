import { CircuitBreaker } from '../../../functions/shared/CircuitBreaker';
import { CircuitOpenError, DeadlineExceededError, TransientDependencyError } from '../../../functions/shared/errors';
import { withRetry } from '../../../functions/shared/withRetry';
import { deadlineWith, sdkError } from '../../helpers/fakes';

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250, attemptTimeoutMs: 1_000 };

describe('withRetry', () => {
  const sleeps: number[] = [];
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms);
  };
  const options = (breaker = new CircuitBreaker('dynamodb', { failureThreshold: 100 }), remaining = 60_000) => ({
    breaker,
    deadline: deadlineWith(remaining),
    policy,
    sleep,
    random: () => 1,
  });

  beforeEach(() => {
    sleeps.length = 0;
  });

  it('retries transient failures with capped exponential backoff and returns the result', async () => {
    const operation = jest
      .fn<Promise<string>, [AbortSignal]>()
      .mockRejectedValueOnce(sdkError('ProvisionedThroughputExceededException', 400))
      .mockRejectedValueOnce(sdkError('InternalServerError', 500))
      .mockRejectedValueOnce(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .mockResolvedValue('stored');
    await expect(withRetry(operation, options())).resolves.toBe('stored');
    expect(operation).toHaveBeenCalledTimes(4);
    expect(sleeps).toEqual([100, 200, 250]);
    expect(operation.mock.calls[0]?.[0]).toBeInstanceOf(AbortSignal);
  });

  it('gives up after maxAttempts with a TransientDependencyError naming the dependency and the cause', async () => {
    const cause = sdkError('ThrottlingException', 400);
    const error = await withRetry(() => Promise.reject(cause), options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientDependencyError);
    expect((error as TransientDependencyError).message).toBe('dynamodb failed after 4 attempt(s): ThrottlingException: ThrottlingException (injected)');
    expect((error as TransientDependencyError).cause).toBe(cause);
    expect(sleeps).toHaveLength(3);
  });

  it('rethrows a non-transient error unchanged without retrying', async () => {
    const denied = sdkError('ConditionalCheckFailedException', 400);
    const operation = jest.fn(() => Promise.reject(denied));
    await expect(withRetry(operation, options())).rejects.toBe(denied);
    expect(operation).toHaveBeenCalledTimes(1);
  });

  it('fails fast with CircuitOpenError when the breaker is open', async () => {
    const breaker = new CircuitBreaker('sns', { failureThreshold: 1, minFailureSpanMs: 0, openMs: 10_000 });
    await expect(withRetry(() => Promise.reject(sdkError('Throttling', 400)), { ...options(breaker), policy: { ...policy, maxAttempts: 1 } })).rejects.toThrow(
      TransientDependencyError,
    );
    const operation = jest.fn(() => Promise.resolve('never'));
    await expect(withRetry(operation, options(breaker))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(operation).not.toHaveBeenCalled();
  });

  it('does not start a call when the deadline has passed', async () => {
    const operation = jest.fn(() => Promise.resolve('never'));
    await expect(withRetry(operation, options(undefined, 0))).rejects.toThrow(new DeadlineExceededError('no time left to call dynamodb (attempt 1)'));
    expect(operation).not.toHaveBeenCalled();
  });

  it('does not sleep past the deadline', async () => {
    const operation = jest.fn(() => Promise.reject(sdkError('ThrottlingException', 400)));
    await expect(withRetry(operation, options(undefined, 150))).rejects.toThrow('dynamodb failed after 2 attempt(s)');
    expect(sleeps).toEqual([100]);
  });
});
