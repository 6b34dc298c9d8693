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

export const HTTP_STATUS = {
  ok: 200,
  badRequest: 400,
  notFound: 404,
  methodNotAllowed: 405,
  internalError: 500,
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
