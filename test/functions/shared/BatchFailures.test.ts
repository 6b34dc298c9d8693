import { BatchFailures } from '../../../functions/shared/BatchFailures';
import { CircuitBreaker } from '../../../functions/shared/CircuitBreaker';
import { withRetry } from '../../../functions/shared/withRetry';
import { deadlineWith, sdkError } from '../../helpers/fakes';
import { kinesisRecords, telemetry } from '../../helpers/records';

describe('BatchFailures', () => {
  const records = kinesisRecords([telemetry(), telemetry(), telemetry(), telemetry()], 500n);

  test('reports nothing when nothing failed', () => {
    const failures = new BatchFailures(records, { warn: jest.fn() });
    expect(failures.count).toBe(0);
    expect(failures.response()).toEqual({ batchItemFailures: [] });
  });

  test('reports from the lowest failed index on, whatever order failures arrive in', () => {
    const warn = jest.fn();
    const failures = new BatchFailures(records, { warn });
    failures.add(3, new Error('late'), 'commit of pump-1');
    failures.add(1, new Error('early'), 'quarantine');
    expect(failures.count).toBe(2);
    expect(failures.response().batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(['501', '502', '503']);
    expect(warn).toHaveBeenCalledWith('quarantine failed; reporting from record 1 on for retry', { error: new Error('early') });
  });

  test('logs the first three failures in full and only counts the rest', () => {
    const warn = jest.fn();
    const failures = new BatchFailures(records, { warn });
    for (let index = 0; index < 4; index++) failures.add(index, new Error('down'), 'status');
    expect(warn).toHaveBeenCalledTimes(3);
    expect(failures.count).toBe(4);
  });

  test('every failure it logs while a circuit is open names the error that opened the circuit', async () => {
    // The group whose retries open the circuit ends in the open circuit too, so all logged failures are fast-fails.
    let now = 0;
    const breaker = new CircuitBreaker('dynamodb', { failureThreshold: 3, minFailureSpanMs: 0, openMs: 5_000, now: () => now });
    const throttling = sdkError('ThrottlingException', 400);
    const retry = {
      breaker,
      deadline: deadlineWith(),
      policy: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 100, attemptTimeoutMs: 1_000 },
      sleep: async (ms: number): Promise<void> => {
        now += ms;
      },
      random: () => 1,
    };
    const warn = jest.fn();
    const failures = new BatchFailures(records, { warn });
    for (let index = 0; index < 4; index++) {
      await withRetry(() => Promise.reject(throttling), retry).catch((error: unknown) => failures.add(index, error, `bucket write ${index}`));
    }
    const logged = warn.mock.calls.map(([, fields]: [string, { error: Error }]) => fields.error);
    expect(logged.map((error) => error.message)).toEqual(
      Array(3).fill(
        'circuit of dynamodb is open after 3 consecutive transient failure(s) (last: ThrottlingException: ThrottlingException (injected)); next probe in 4900 ms',
      ),
    );
    expect(logged.map((error) => error.cause)).toEqual([throttling, throttling, throttling]);
  });
});
