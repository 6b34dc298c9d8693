import { CircuitOpenError, ValidationError } from '../../../functions/shared/errors';
import { isTransientError } from '../../../functions/shared/isTransientError';
import { sdkError } from '../../helpers/fakes';

describe('isTransientError', () => {
  it.each([
    ['DynamoDB throttling', sdkError('ProvisionedThroughputExceededException', 400)],
    ['generic throttling', sdkError('ThrottlingException', 400)],
    ['S3 slow down', sdkError('SlowDown', 503)],
    ['any 5xx', sdkError('Whatever', 502)],
    ['429', sdkError('Whatever', 429)],
    ['SDK retryable flag', Object.assign(new Error('x'), { $retryable: { throttling: false } })],
    ['server fault', Object.assign(new Error('x'), { $fault: 'server' })],
    ['connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['abort on timeout', Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })],
    ['an open circuit', new CircuitOpenError('sns', 100, 5, sdkError('ThrottlingException', 400))],
  ])('treats %s as transient', (_name, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['validation', sdkError('ValidationException', 400)],
    ['access denied', sdkError('AccessDeniedException', 403)],
    ['missing table', sdkError('ResourceNotFoundException', 400)],
    ['a failed condition', sdkError('ConditionalCheckFailedException', 400)],
    ['a contract violation', new ValidationError('INVALID_JSON', 'x')],
    ['a string', 'boom'],
    ['undefined', undefined],
  ])('treats %s as permanent', (_name, error) => {
    expect(isTransientError(error)).toBe(false);
  });
});
