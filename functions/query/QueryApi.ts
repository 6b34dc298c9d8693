import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { METRIC_NAMES } from '../shared/constants';
import { QueryInputError, QueryLimitError } from '../shared/errors';
import { parseIdentifier } from '../shared/query/parseIdentifier';
import { parseSeriesQuery } from '../shared/query/parseSeriesQuery';
import type { QueryService } from '../shared/query/QueryService';
import { HTTP_STATUS, MAX_RESPONSE_BYTES, RESPONSE_HEADERS, ROUTE_PARAMETERS, ROUTES } from './constants';

export interface QueryApiDependencies {
  readonly service: Pick<QueryService, 'series' | 'lineAssets'>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now?: () => number;
}

type Route = (typeof ROUTES)[keyof typeof ROUTES];
type Parameters = Readonly<Record<string, string | undefined>>;

/** A response: JSON body, status, and the contract's headers. */
function respond(statusCode: number, body: unknown, headers: Record<string, string> = {}): LambdaFunctionURLResult {
  return { statusCode, headers: { ...RESPONSE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** A response's size as Lambda serializes it, which is what the function URL's payload limit counts. */
function payloadBytes(response: LambdaFunctionURLResult): number {
  return Buffer.byteLength(JSON.stringify(response), 'utf8');
}

/**
 * The read path over HTTP (Lambda function URL, AWS_IAM, payload format 2.0):
 * `GET /v1/series?assetId&metric&from&to&step&agg` and `GET /v1/assets?lineId`. Bad input and requests
 * beyond the limits are a 400 naming the parameter, a series or line whose response would exceed what the URL
 * returns (MAX_RESPONSE_BYTES) a 400 saying what to do instead, other paths 404, other methods 405.
 */
export class QueryApi {
  readonly #deps: QueryApiDependencies;

  constructor(deps: QueryApiDependencies) {
    this.#deps = deps;
  }

  async handle(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
    const method = event.requestContext.http.method;
    const route = this.#route(event.rawPath);
    if (route === undefined) return respond(HTTP_STATUS.notFound, { error: `no route ${event.rawPath}; the routes are GET ${ROUTES.series} and GET ${ROUTES.assets}` });
    if (method !== 'GET') return respond(HTTP_STATUS.methodNotAllowed, { error: `method ${method} is not allowed on ${route}; only GET` }, { allow: 'GET' });
    try {
      const parameters = this.#parameters(route, event.queryStringParameters ?? {});
      return route === ROUTES.series ? await this.#series(parameters) : await this.#assets(parameters);
    } catch (error) {
      if (error instanceof QueryInputError) return respond(HTTP_STATUS.badRequest, { error: error.message });
      throw error;
    }
  }

  async #series(parameters: Parameters): Promise<LambdaFunctionURLResult> {
    const now = this.#deps.now ?? Date.now;
    const query = parseSeriesQuery(parameters, { now: now(), allowRelative: false });
    const startedAt = now();
    const result = await this.#deps.service.series(query);
    const { itemsRead: _itemsRead, capacityUnits: _capacityUnits, ...body } = result;
    const response = respond(HTTP_STATUS.ok, body);
    const bytes = payloadBytes(response);
    const tooLarge = bytes > MAX_RESPONSE_BYTES;
    this.#record(result.itemsRead, tooLarge ? 0 : result.points.length);
    this.#deps.logger.info(tooLarge ? 'series refused: response too large' : 'series read', {
      assetId: query.assetId,
      metric: query.metric,
      step: query.step,
      from: query.from,
      to: query.to,
      itemsRead: result.itemsRead,
      capacityUnits: result.capacityUnits,
      points: result.points.length,
      bytes,
      ms: now() - startedAt,
    });
    if (tooLarge) {
      const narrow = query.step === 'raw' ? 'narrow from/to or use a step' : 'narrow from/to, use a coarser step or fewer aggregates (agg)';
      throw new QueryLimitError('from', `the response would be ${bytes} bytes, over the ${MAX_RESPONSE_BYTES} bytes a function URL returns; ${narrow}`);
    }
    return response;
  }

  async #assets(parameters: Parameters): Promise<LambdaFunctionURLResult> {
    const lineId = parseIdentifier(parameters.lineId, 'lineId');
    const assets = await this.#deps.service.lineAssets(lineId);
    const response = respond(HTTP_STATUS.ok, { lineId, assets });
    // An asset lists up to 1,000 metrics (LIMITS.maxListedMetricsPerAsset): a line of many such assets
    // would pass what the URL returns, which answers that with a bare 502.
    const bytes = payloadBytes(response);
    if (bytes > MAX_RESPONSE_BYTES) {
      this.#record(0, 0);
      this.#deps.logger.info('assets refused: response too large', { lineId, assets: assets.length, bytes });
      throw new QueryLimitError(
        'lineId',
        `the ${assets.length} assets of line ${lineId} with their metrics would be ${bytes} bytes, over the ${MAX_RESPONSE_BYTES} bytes a function URL returns; list them with npm run query -- --line ${lineId}, which reads the table directly`,
      );
    }
    this.#record(0, assets.length);
    return response;
  }

  #route(path: string): Route | undefined {
    return Object.values(ROUTES).find((route) => route === path);
  }

  #parameters(route: Route, given: Parameters): Parameters {
    const allowed: readonly string[] = ROUTE_PARAMETERS[route];
    const unknown = Object.keys(given).find((name) => !allowed.includes(name));
    if (unknown !== undefined) throw new QueryInputError(unknown, `unknown parameter ${unknown}; ${route} takes ${allowed.join(', ')}`);
    return given;
  }

  #record(itemsRead: number, points: number): void {
    const { metrics } = this.#deps;
    metrics.addMetric(METRIC_NAMES.itemsRead, MetricUnit.Count, itemsRead);
    metrics.addMetric(METRIC_NAMES.pointsReturned, MetricUnit.Count, points);
    metrics.publishStoredMetrics();
  }
}
