import { TransientDependencyError } from './errors';

/** Error names of the AWS services used here that mean 'slow down' or 'try again'. */
const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'RequestThrottled',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServerError',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionConflictException',
  'KMSThrottlingException',
  'TimeoutError',
  'AbortError',
]);

/** Node socket errors of a connection that may work on the next try. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED']);

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $retryable?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * Whether a failed call may succeed if repeated: throttling, 5xx, timeouts and dropped
 * connections. Anything else (validation, access denied, missing resource, a failed condition)
 * will fail the same way again.
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof TransientDependencyError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkLikeError;
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  if (e.$retryable !== undefined && e.$retryable !== null) return true;
  if (e.$fault === 'server') return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  return typeof e.message === 'string' && /socket hang up|ECONNRESET|ECONNREFUSED/.test(e.message);
}
