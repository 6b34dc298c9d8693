import { LAMBDA_LIMITS } from '../shared/constants';

/** The query function's HTTP contract (function URL, payload format 2.0). */
export const ROUTES = {
  series: '/v1/series',
  assets: '/v1/assets',
} as const;

/** Query-string parameters each route accepts; any other is a 400 (a typo must not be silently ignored). */
export const ROUTE_PARAMETERS = {
  [ROUTES.series]: ['assetId', 'metric', 'from', 'to', 'step', 'agg'],
  [ROUTES.assets]: ['lineId'],
} as const;

/**
 * Statuses the function answers. A failure (DynamoDB throttling or an outage, a bug, a corrupt item) has
 * none: it is thrown, so Lambda counts it in Errors (the query-errors alarm) and the URL answers its own
 * 502 `Internal Server Error`, which carries nothing of the error.
 */
export const HTTP_STATUS = {
  ok: 200,
  /** Bad input, or a request over a limit (QueryInputError, QueryLimitError). */
  badRequest: 400,
  /** No such route, or no such asset or metric (UnknownSensorError): the request is well formed, what it names is not there. */
  notFound: 404,
  methodNotAllowed: 405,
} as const;

/** Responses are JSON and never cached by an intermediary: the data changes every minute. */
export const RESPONSE_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
} as const;

/**
 * Largest response the function returns, bytes. The function URL is BUFFERED (the rendered default), so
 * Lambda passes the result through Invoke, whose response payload is at most 6 MB: the result's JSON, with
 * the body escaped inside it. Over that the caller gets a 502 from the URL instead of the data, so the
 * function answers a 400 saying how to narrow the query first.
 */
export const MAX_RESPONSE_BYTES = LAMBDA_LIMITS.maxInvokePayloadBytes;

/**
 * The DynamoDB client's attempts and timeouts. The SDK's own retries serve here (one request, not a
 * batch: no withRetry, deadline or breaker). Without a timeout a stalled connection holds the request
 * until the function's 30 s timeout (a 502 with nothing logged but the timeout); cut off, the attempt
 * is retried. A page is at most 1 MB, tens of milliseconds: 5 s is a stall, not a slow page.
 */
export const DYNAMODB_CLIENT = {
  maxAttempts: 3,
  attemptTimeoutMs: 5_000,
} as const;
