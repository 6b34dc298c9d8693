import { QueryLimitError, UnknownSensorError, type ReadConsumption } from '../errors';
import { QUERY_LIMITS, STEPS } from './constants';
import type { AssetDirectory } from './AssetDirectory';
import { rawPoints } from './rawPoints';
import { rollUp } from './rollUp';
import type { SeriesReader } from './SeriesReader';
import { stepPointCount } from './stepPointCount';
import type { AssetSummary, SeriesParameters, SeriesQuery, SeriesResult } from './types';

export interface QueryServiceOptions {
  readonly reader: Pick<SeriesReader, 'read' | 'maxCapacityUnits'>;
  readonly directory: Pick<AssetDirectory, 'asset' | 'lineAssets'>;
  /** The environment's plant: line ids are unique within it (config `plant.id`). */
  readonly plantId: string;
  /** How the caller names each parameter in errors (`--asset` on the command line). */
  readonly label?: (parameter: keyof SeriesParameters | 'lineId') => string;
}

/** The bookkeeping of a read, without its buckets. */
const consumption = ({ itemsRead, capacityUnits }: ReadConsumption): ReadConsumption => ({ itemsRead, capacityUnits });

/**
 * The read path, the same for the query function and `npm run query`: one sensor's series, every
 * sensor of an asset, the assets of a line. Limits are checked before anything is read where the
 * request tells them (points of a roll-up), and while reading where only the data does (`raw`).
 */
export class QueryService {
  readonly #options: QueryServiceOptions;

  constructor(options: QueryServiceOptions) {
    this.#options = options;
  }

  async series(query: SeriesQuery): Promise<SeriesResult> {
    const { from, to, step } = query;
    const base = { assetId: query.assetId, metric: query.metric, from, to, step };
    if (step === 'raw') {
      const read = await this.#options.reader.read(query.assetId, query.metric, from, to, 'readings', QUERY_LIMITS.maxPoints);
      if (read.overBudget) throw this.#overBudget(query, read);
      const points = rawPoints(read.buckets, from, to);
      if (read.overLimit || points.length > QUERY_LIMITS.maxPoints) {
        throw new QueryLimitError(
          this.#label('from'),
          `the range holds more than ${QUERY_LIMITS.maxPoints} readings of ${query.assetId}/${query.metric}; narrow ${this.#label('from')}/${this.#label('to')} or use a step`,
          consumption(read),
        );
      }
      if (read.buckets.length === 0) await this.#checkSensor(query.assetId, query.metric);
      return { ...base, points, itemsRead: read.itemsRead, capacityUnits: read.capacityUnits };
    }
    const read = await this.#options.reader.read(query.assetId, query.metric, from, to, 'stats');
    if (read.overBudget) throw this.#overBudget(query, read);
    if (read.buckets.length === 0) await this.#checkSensor(query.assetId, query.metric);
    return { ...base, points: rollUp(read.buckets, from, to, step, query.aggregates), itemsRead: read.itemsRead, capacityUnits: read.capacityUnits };
  }

  /** Every metric of the asset over the same range and step, in metric order. */
  async assetSeries(query: Omit<SeriesQuery, 'metric'>): Promise<SeriesResult[]> {
    const asset = await this.#options.directory.asset(query.assetId);
    if (asset === undefined) throw new UnknownSensorError(this.#label('assetId'), `${this.#label('assetId')} ${query.assetId}: no such asset (it has no asset-status item)`);
    if (asset.metrics.length === 0) throw new UnknownSensorError(this.#label('metric'), `${this.#label('assetId')} ${query.assetId}: its metrics are not registered yet; name one with ${this.#label('metric')}`);
    if (query.step !== 'raw') {
      const points = stepPointCount(query.from, query.to, STEPS[query.step]) * asset.metrics.length;
      if (points > QUERY_LIMITS.maxPoints) {
        throw new QueryLimitError(this.#label('step'), `${this.#label('step')} ${query.step} over this range makes ${points} points for ${asset.metrics.length} metrics, over the limit of ${QUERY_LIMITS.maxPoints}; use a coarser step, a shorter range or one ${this.#label('metric')}`);
      }
    }
    const results: SeriesResult[] = [];
    let rawTotal = 0;
    for (const metric of asset.metrics) {
      const result = await this.series({ ...query, metric });
      rawTotal += query.step === 'raw' ? result.points.length : 0;
      if (rawTotal > QUERY_LIMITS.maxPoints) {
        throw new QueryLimitError(this.#label('from'), `the range holds more than ${QUERY_LIMITS.maxPoints} readings of ${query.assetId}; narrow ${this.#label('from')}/${this.#label('to')}, use a step or one ${this.#label('metric')}`);
      }
      results.push(result);
    }
    return results;
  }

  /** The line's assets with their status (none for a line without assets). */
  async lineAssets(lineId: string): Promise<AssetSummary[]> {
    return this.#options.directory.lineAssets(this.#options.plantId, lineId);
  }

  /** An empty series is fine for a known sensor; for an unknown one the caller is told which part is wrong. */
  async #checkSensor(assetId: string, metric: string): Promise<void> {
    const asset = await this.#options.directory.asset(assetId);
    if (asset === undefined) throw new UnknownSensorError(this.#label('assetId'), `${this.#label('assetId')} ${assetId}: no such asset (it has no asset-status item)`);
    // An asset with more metrics than its item lists may have this one: an empty series, not an error.
    if (asset.metrics.length > 0 && !asset.metrics.includes(metric) && asset.metricsIncomplete !== true) {
      throw new UnknownSensorError(this.#label('metric'), `${this.#label('metric')} ${metric}: asset ${assetId} has no such metric; its metrics are ${asset.metrics.join(', ')}`);
    }
  }

  /** The range holds more bytes of the sensor than one read takes (a fast sensor over a long range). */
  #overBudget(query: SeriesQuery, read: ReadConsumption): QueryLimitError {
    const mib = (this.#options.reader.maxCapacityUnits * 8) / 1024;
    return new QueryLimitError(
      this.#label('from'),
      `the range holds more of ${query.assetId}/${query.metric} than one request reads (${this.#options.reader.maxCapacityUnits} read units, ${mib} MiB of minute buckets); narrow ${this.#label('from')}/${this.#label('to')}`,
      consumption(read),
    );
  }

  #label(parameter: keyof SeriesParameters | 'lineId'): string {
    return this.#options.label?.(parameter) ?? parameter;
  }
}
