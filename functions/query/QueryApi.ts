import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { METRIC_NAMES } from '../shared/constants';
import { QueryInputError, QueryLimitError, UnknownSensorError } from '../shared/errors';
import { hotTierStart } from '../shared/query/hotTierStart';
import { parseIdentifier } from '../shared/query/parseIdentifier';
import { parseSeriesQuery } from '../shared/query/parseSeriesQuery';
import type { QueryService } from '../shared/query/QueryService';
import type { AssetSummary, SeriesQuery, SeriesResult } from '../shared/query/types';
import { HTTP_STATUS, MAX_RESPONSE_BYTES, RESPONSE_HEADERS, ROUTE_PARAMETERS, ROUTES } from './constants';

export interface QueryApiDependencies {
  readonly service: Pick<QueryService, 'series' | 'lineAssets'>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The readings' TTL in days (config `retention.hotDays`). */
  readonly hotRetentionDays: number;
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

type SeriesBody = Pick<SeriesResult, 'assetId' | 'metric' | 'from' | 'to' | 'step' | 'points'> & { readonly hotTierFrom?: number };

/**
 * The series as the contract has it: named fields only, so the read's bookkeeping (items, read units) stays in the log.
 * A range reaching back before the hot tier's start says where it starts: what lies before it may have expired, and
 * a panel that fades out there would otherwise read as a sensor that stopped.
 */
function seriesBody({ assetId, metric, from, to, step, points }: SeriesResult, hotTierFrom: number): SeriesBody {
  return { assetId, metric, from, to, step, points, ...(from < hotTierFrom ? { hotTierFrom } : {}) };
}

/**
 * The read path over HTTP (Lambda function URL, AWS_IAM, payload format 2.0):
 * `GET /v1/series?assetId&metric&from&to&step&agg` and `GET /v1/assets?lineId`. Bad input and requests
 * beyond the limits are a 400 naming the parameter, a series or line whose response would exceed what the URL
 * returns (MAX_RESPONSE_BYTES) a 400 saying what to do instead, an asset or metric the platform does not
 * know a 404, other paths 404, other methods 405. Failures are thrown (HTTP_STATUS says why).
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
      const parameters = this.#checkParameterNames(route, event.queryStringParameters ?? {});
      return route === ROUTES.series ? await this.#series(parameters) : await this.#assets(parameters);
    } catch (error) {
      if (error instanceof QueryInputError) return this.#refuse(error, event);
      throw error;
    }
  }

  async #series(parameters: Parameters): Promise<LambdaFunctionURLResult> {
    const query = parseSeriesQuery(parameters, { now: this.#now(), allowRelative: false });
    const startedAt = this.#now();
    const result = await this.#deps.service.series(query);
    const response = respond(HTTP_STATUS.ok, seriesBody(result, hotTierStart(startedAt, this.#deps.hotRetentionDays)));
    const bytes = payloadBytes(response);
    const fits = bytes <= MAX_RESPONSE_BYTES;
    this.#record(result.itemsRead, fits ? result.points.length : 0);
    this.#logSeriesRead(query, result, bytes, this.#now() - startedAt);
    if (!fits) throw this.#seriesTooLarge(query, bytes);
    return response;
  }

  async #assets(parameters: Parameters): Promise<LambdaFunctionURLResult> {
    const lineId = parseIdentifier(parameters.lineId, 'lineId');
    const assets = await this.#deps.service.lineAssets(lineId);
    const response = respond(HTTP_STATUS.ok, { lineId, assets });
    const bytes = payloadBytes(response);
    const fits = bytes <= MAX_RESPONSE_BYTES;
    this.#record(0, fits ? assets.length : 0);
    this.#deps.logger.info('line assets read', { lineId, assets: assets.length, bytes });
    if (!fits) throw this.#assetsTooLarge(lineId, assets, bytes);
    return response;
  }

  /** Bad input or over a limit: 400; the asset or metric it names is not there: 404. Logged, so a failing panel can be traced. */
  #refuse(error: QueryInputError, event: LambdaFunctionURLEvent): LambdaFunctionURLResult {
    const statusCode = error instanceof UnknownSensorError ? HTTP_STATUS.notFound : HTTP_STATUS.badRequest;
    // A read stopped at its budget consumed up to the whole budget: counted, or the dearest requests would be missing from ItemsRead.
    const consumed = error instanceof QueryLimitError ? error.consumed : undefined;
    if (consumed !== undefined) this.#record(consumed.itemsRead, 0);
    this.#deps.logger.info('request refused', {
      statusCode,
      parameter: error.parameter,
      reason: error.message,
      path: event.rawPath,
      query: event.rawQueryString,
      ...(consumed === undefined ? {} : { itemsRead: consumed.itemsRead, capacityUnits: consumed.capacityUnits }),
    });
    return respond(statusCode, { error: error.message });
  }

  #seriesTooLarge(query: SeriesQuery, bytes: number): QueryLimitError {
    const narrow = query.step === 'raw' ? 'narrow from/to or use a step' : 'narrow from/to, use a coarser step or fewer aggregates (agg)';
    return new QueryLimitError('from', `the response would be ${bytes} bytes, over the ${MAX_RESPONSE_BYTES} bytes a function URL returns; ${narrow}`);
  }

  /**
   * An asset lists up to 1,000 metrics (LIMITS.maxListedMetricsPerAsset): a line of many such assets would
   * pass what the URL returns, which answers that with a bare 502.
   */
  #assetsTooLarge(lineId: string, assets: readonly AssetSummary[], bytes: number): QueryLimitError {
    return new QueryLimitError(
      'lineId',
      `the ${assets.length} assets of line ${lineId} with their metrics would be ${bytes} bytes, over the ${MAX_RESPONSE_BYTES} bytes a function URL returns; list them with npm run query -- --line ${lineId}, which reads the table directly`,
    );
  }

  #route(path: string): Route | undefined {
    return Object.values(ROUTES).find((route) => route === path);
  }

  /** Names are quoted: a stray space or an empty name (`?=x`) would otherwise be invisible in the message. */
  #checkParameterNames(route: Route, given: Parameters): Parameters {
    const allowed: readonly string[] = ROUTE_PARAMETERS[route];
    const unknown = Object.keys(given).find((name) => !allowed.includes(name));
    if (unknown !== undefined) throw new QueryInputError(unknown, `unknown parameter ${JSON.stringify(unknown)}; ${route} takes ${allowed.join(', ')}`);
    return given;
  }

  #logSeriesRead(query: SeriesQuery, result: SeriesResult, bytes: number, ms: number): void {
    this.#deps.logger.info('series read', {
      assetId: query.assetId,
      metric: query.metric,
      step: query.step,
      from: query.from,
      to: query.to,
      itemsRead: result.itemsRead,
      capacityUnits: result.capacityUnits,
      points: result.points.length,
      bytes,
      ms,
    });
  }

  #record(itemsRead: number, points: number): void {
    const { metrics } = this.#deps;
    metrics.addMetric(METRIC_NAMES.itemsRead, MetricUnit.Count, itemsRead);
    metrics.addMetric(METRIC_NAMES.pointsReturned, MetricUnit.Count, points);
    metrics.publishStoredMetrics();
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }
}
