import { CircuitBreaker } from '../../../functions/shared/CircuitBreaker';
import { CircuitOpenError } from '../../../functions/shared/errors';
import { sdkError } from '../../helpers/fakes';

describe('CircuitBreaker', () => {
  let now = 0;
  const clock = (): number => now;
  const throttled = (): Promise<never> => Promise.reject(sdkError('ThrottlingException', 400));
  const ok = (): Promise<string> => Promise.resolve('ok');

  beforeEach(() => {
    now = 1_000;
  });

  /** n failures, 300 ms apart. */
  async function failTimes(breaker: CircuitBreaker, n: number): Promise<void> {
    for (let i = 0; i < n; i += 1) {
      if (i > 0) now += 300;
      await expect(breaker.execute(throttled)).rejects.toThrow('ThrottlingException (injected)');
    }
  }

  it('opens after the threshold of consecutive transient failures and then rejects without calling', async () => {
    const breaker = new CircuitBreaker('dynamodb', { failureThreshold: 3, openMs: 500, now: clock });
    await failTimes(breaker, 3);
    expect(breaker.state).toBe('open');
    const operation = jest.fn(ok);
    await expect(breaker.execute(operation)).rejects.toThrow(
      new CircuitOpenError('dynamodb', 500, 3, sdkError('ThrottlingException', 400)),
    );
    expect(operation).not.toHaveBeenCalled();
    expect(breaker.msUntilProbe()).toBe(500);
  });

  /** The error of a call the open circuit refuses, after checking it is a CircuitOpenError. */
  async function refusal(breaker: CircuitBreaker): Promise<CircuitOpenError> {
    const error = await breaker.execute(ok).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    return error as CircuitOpenError;
  }

  it('names and carries the failure that opened it, so an open circuit never hides its cause', async () => {
    const breaker = new CircuitBreaker('dynamodb', { failureThreshold: 2, minFailureSpanMs: 0, openMs: 500, now: clock });
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    await expect(breaker.execute(() => Promise.reject(timeout))).rejects.toBe(timeout);
    await failTimes(breaker, 1);
    now += 100;
    const error = await refusal(breaker);
    expect(error.message).toBe(
      'circuit of dynamodb is open after 2 consecutive transient failure(s) (last: ThrottlingException: ThrottlingException (injected)); next probe in 400 ms',
    );
    expect(error.cause).toEqual(sdkError('ThrottlingException', 400));
  });

  it('names the failed probe once it opens the circuit again, and a new failure after a success closed it', async () => {
    const breaker = new CircuitBreaker('s3', { failureThreshold: 1, minFailureSpanMs: 0, openMs: 500, now: clock });
    await failTimes(breaker, 1);
    now += 500;
    const slowDown = sdkError('SlowDown', 503);
    await expect(breaker.execute(() => Promise.reject(slowDown))).rejects.toBe(slowDown);
    const reopened = await refusal(breaker);
    expect(reopened.message).toBe('circuit of s3 is open after 2 consecutive transient failure(s) (last: SlowDown: SlowDown (injected)); next probe in 500 ms');
    expect(reopened.cause).toBe(slowDown);
    now += 500;
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    await failTimes(breaker, 1);
    expect((await refusal(breaker)).message).toBe(
      'circuit of s3 is open after 1 consecutive transient failure(s) (last: ThrottlingException: ThrottlingException (injected)); next probe in 500 ms',
    );
  });

  it('does not open on a burst of simultaneous failures shorter than the minimum span', async () => {
    const breaker = new CircuitBreaker('dynamodb', { failureThreshold: 3, minFailureSpanMs: 500, now: clock });
    for (let i = 0; i < 30; i += 1) await expect(breaker.execute(throttled)).rejects.toThrow('ThrottlingException (injected)');
    expect(breaker.state).toBe('closed');
    now += 500;
    await expect(breaker.execute(throttled)).rejects.toThrow('ThrottlingException (injected)');
    expect(breaker.state).toBe('open');
  });

  it('counts only consecutive failures: a success in between resets the count', async () => {
    const breaker = new CircuitBreaker('s3', { failureThreshold: 3, now: clock });
    await failTimes(breaker, 2);
    await breaker.execute(ok);
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('closed');
  });

  it('ignores non-transient failures', async () => {
    const breaker = new CircuitBreaker('s3', { failureThreshold: 1, now: clock });
    await expect(breaker.execute(() => Promise.reject(sdkError('AccessDenied', 403)))).rejects.toThrow('AccessDenied (injected)');
    expect(breaker.state).toBe('closed');
  });

  it('lets one probe through after openMs; its success closes the circuit', async () => {
    const breaker = new CircuitBreaker('sns', { failureThreshold: 1, minFailureSpanMs: 0, openMs: 500, now: clock });
    await failTimes(breaker, 1);
    now += 500;
    expect(breaker.state).toBe('half-open');
    let release: (value: string) => void = () => undefined;
    const probe = breaker.execute(() => new Promise<string>((resolve) => (release = resolve)));
    await expect(breaker.execute(ok)).rejects.toThrow(CircuitOpenError);
    release('done');
    await expect(probe).resolves.toBe('done');
    expect(breaker.state).toBe('closed');
    expect(breaker.msUntilProbe()).toBe(0);
  });

  it('opens again at once when the probe fails', async () => {
    const breaker = new CircuitBreaker('sns', { failureThreshold: 2, minFailureSpanMs: 0, openMs: 500, now: clock });
    await failTimes(breaker, 2);
    now += 600;
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
    expect(breaker.msUntilProbe()).toBe(500);
  });
});
