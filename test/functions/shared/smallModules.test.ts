import { CircuitBreaker } from '../../../functions/shared/CircuitBreaker';
import { createBreakers } from '../../../functions/shared/createBreakers';
import { Deadline } from '../../../functions/shared/Deadline';
import { Environment } from '../../../functions/shared/Environment';
import { ConfigurationError } from '../../../functions/shared/errors';
import { failuresFrom } from '../../../functions/shared/failuresFrom';
import { mapWithConcurrency } from '../../../functions/shared/mapWithConcurrency';
import { paceRetry } from '../../../functions/shared/paceRetry';
import { deadlineWith, sdkError } from '../../helpers/fakes';
import { kinesisRecords } from '../../helpers/records';

describe('failuresFrom', () => {
  const records = kinesisRecords([1, 2, 3, 4], 10n);

  it('reports the first failed record and every record after it', () => {
    expect(failuresFrom(records, 2)).toEqual({ batchItemFailures: [{ itemIdentifier: '12' }, { itemIdentifier: '13' }] });
  });

  it('reports nothing when no record failed', () => {
    expect(failuresFrom(records, 4)).toEqual({ batchItemFailures: [] });
  });
});

describe('Deadline', () => {
  it('keeps 10 % of the initial time in reserve, between 500 ms and 3 s', () => {
    expect(new Deadline({ getRemainingTimeInMillis: () => 10_000 }).marginMs).toBe(1_000);
    expect(new Deadline({ getRemainingTimeInMillis: () => 1_000 }).marginMs).toBe(500);
    expect(new Deadline({ getRemainingTimeInMillis: () => 900_000 }).marginMs).toBe(3_000);
  });

  it('expires when the remaining time reaches the margin', () => {
    let remaining = 10_000;
    const deadline = new Deadline({ getRemainingTimeInMillis: () => remaining });
    expect(deadline.remainingMs()).toBe(9_000);
    remaining = 1_000;
    expect(deadline.isExpired()).toBe(true);
  });
});

describe('mapWithConcurrency', () => {
  it('keeps order, settles each item and never exceeds the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapWithConcurrency([1, 2, 3, 4, 5], 2, async (n) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await Promise.resolve();
      inFlight -= 1;
      if (n === 3) throw new Error('three');
      return n * 10;
    });
    expect(peak).toBe(2);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([10, 20, 'three', 40, 50]);
  });
});

describe('Environment', () => {
  it('names the missing variable', () => {
    expect(() => new Environment({}).required('READINGS_TABLE')).toThrow(new ConfigurationError('environment variable READINGS_TABLE is required'));
  });

  it('checks integers and their range, with an optional default', () => {
    const env = new Environment({ N: '12', BAD: '1.5' });
    expect(env.integer('N', { min: 1, max: 20 })).toBe(12);
    expect(env.integer('UNSET', { min: 1, max: 20, default: 7 })).toBe(7);
    expect(() => env.integer('BAD', { min: 1, max: 20 })).toThrow('environment variable BAD must be an integer from 1 to 20, got "1.5"');
    expect(() => env.integer('N', { min: 1, max: 10 })).toThrow('environment variable N must be an integer from 1 to 10, got "12"');
  });

  it('parses JSON and ARNs', () => {
    const env = new Environment({ J: '{"a":1}', BROKEN: '{', TOPIC: 'arn:aws:sns:sa-east-1:123456789012:sns-alerts-dev', WRONG: 'sns-alerts' });
    expect(env.json('J', null)).toEqual({ a: 1 });
    expect(env.json('UNSET', 'fallback')).toBe('fallback');
    expect(() => env.json('BROKEN', null)).toThrow(/^environment variable BROKEN is not valid JSON: /);
    expect(env.arn('TOPIC', 'sns')).toBe('arn:aws:sns:sa-east-1:123456789012:sns-alerts-dev');
    expect(() => env.arn('WRONG', 'sns')).toThrow('environment variable WRONG must be an sns ARN, got "sns-alerts"');
  });
});

describe('createBreakers and paceRetry', () => {
  it('creates one breaker per dependency with the configured open time', async () => {
    const breakers = createBreakers(['dynamodb', 's3'] as const, new Environment({ CIRCUIT_BREAKER_OPEN_MS: '250' }));
    expect(Object.keys(breakers)).toEqual(['dynamodb', 's3']);
    expect(breakers.s3.dependency).toBe('s3');
  });

  it('waits until the first open circuit allows a probe, bounded by the deadline', async () => {
    let now = 0;
    const breaker = new CircuitBreaker('dynamodb', { failureThreshold: 1, minFailureSpanMs: 0, openMs: 800, now: () => now });
    await breaker.execute(() => Promise.reject(sdkError('ThrottlingException', 400))).catch(() => undefined);
    now = 300;
    const waits: number[] = [];
    const sleep = async (ms: number): Promise<void> => {
      waits.push(ms);
    };
    expect(await paceRetry([breaker, new CircuitBreaker('s3')], deadlineWith(60_000), sleep)).toBe(500);
    expect(await paceRetry([breaker], deadlineWith(200), sleep)).toBe(200);
    expect(await paceRetry([new CircuitBreaker('s3')], deadlineWith(60_000), sleep)).toBe(0);
    expect(waits).toEqual([500, 200]);
  });
});
