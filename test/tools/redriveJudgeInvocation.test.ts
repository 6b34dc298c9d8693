import { judgeInvocation } from '../../scripts/lib/judgeInvocation';

/** Sequence numbers past 2^53: compared as numbers they would be equal or misordered. */
const A = '49590338271490256608559692538361571095921575989136588898';
const B = '49590338271490256608559692538361571095921575989136588899';
const C = '49590338271490256608559692540925702759324208523137515618';
const SENT = [A, B, C];

describe('judging an invocation as a Kinesis mapping with ReportBatchItemFailures does', () => {
  test.each([
    ['an empty list', '{"batchItemFailures":[]}'],
    ['a null list', '{"batchItemFailures":null}'],
    ['an empty response object', '{}'],
    ['a null response', 'null'],
    ['no payload', ''],
  ])('%s is a complete success', (_case, payload) => {
    expect(judgeInvocation(undefined, payload, SENT)).toEqual({ ok: true });
  });

  test('the mapping retries from the lowest sequence number reported, compared as integers', () => {
    expect(judgeInvocation(undefined, JSON.stringify({ batchItemFailures: [{ itemIdentifier: C }, { itemIdentifier: B }] }), SENT)).toEqual({
      ok: false,
      reason: 'batch item failures',
      detail: `2 batch item failures from sequence number ${B}`,
      firstFailed: B,
    });
  });

  test.each([
    ['an empty itemIdentifier', [{ itemIdentifier: C }, { itemIdentifier: '' }], '2 batch item failures, 1 not naming a record of the invocation (""): all of it failed'],
    ['a null itemIdentifier', [{ itemIdentifier: null }], '1 batch item failure, 1 not naming a record of the invocation (null): all of it failed'],
    ['a misspelt key', [{ itemIdentifer: B }], '1 batch item failure, 1 not naming a record of the invocation (null): all of it failed'],
    ['a sequence number not sent', [{ itemIdentifier: B }, { itemIdentifier: '1' }], '2 batch item failures, 1 not naming a record of the invocation ("1"): all of it failed'],
  ])('%s fails the whole invocation (no record of it counts as done)', (_case, failures, detail) => {
    expect(judgeInvocation(undefined, JSON.stringify({ batchItemFailures: failures }), SENT)).toEqual({ ok: false, reason: 'batch item failures', detail });
  });

  test('a function error fails the whole invocation, with its type and message', () => {
    expect(judgeInvocation('Unhandled', '{"errorType":"TimeoutError","errorMessage":"Task timed out after 120.00 seconds"}', SENT)).toEqual({
      ok: false,
      reason: 'function error',
      detail: 'function error (Unhandled) TimeoutError: Task timed out after 120.00 seconds',
    });
  });

  test('a response that is no batch response object fails the whole invocation', () => {
    expect(judgeInvocation(undefined, '"done"', SENT)).toEqual({ ok: false, reason: 'function error', detail: 'the function returned no batch response object: "done"' });
    expect(judgeInvocation(undefined, '{"batchItemFailures":"none"}', SENT)).toEqual({
      ok: false,
      reason: 'function error',
      detail: 'the function returned a batchItemFailures that is not a list: {"batchItemFailures":"none"}',
    });
  });
});
