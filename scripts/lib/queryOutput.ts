import { AGGREGATES, type Aggregate } from '../../functions/shared/query/constants';
import type { AggregatePoint, RawPoint, SeriesQuery, SeriesResult } from '../../functions/shared/query/types';
import type { QueryPlan } from './planQuery';
import type { OutputFormat } from './queryArgs';
import type { QueryRunResult } from './runQuery';

const iso = (t: number): string => new Date(t).toISOString();
const isRaw = (series: SeriesResult): boolean => series.step === 'raw';

/** The step and aggregates a plan asks for; none for the listing of a line's assets. */
function requestOf(plan: QueryPlan): Pick<SeriesQuery, 'step' | 'aggregates'> | undefined {
  if (plan.kind === 'line-assets') return undefined;
  return plan.kind === 'line-series' ? plan.range : plan.query;
}

/**
 * The aggregates of a roll-up's columns: those requested, in the canonical order. From the request, not
 * the points, so that the header is the same whether the range held data or not.
 */
function aggregatesOf(plan: QueryPlan): Aggregate[] {
  const requested = requestOf(plan)?.aggregates ?? [];
  return AGGREGATES.filter((aggregate) => requested.includes(aggregate));
}

function cell(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

function rows(series: SeriesResult, aggregates: readonly Aggregate[]): string[][] {
  if (isRaw(series)) return (series.points as readonly RawPoint[]).map((point) => [iso(point.t), String(point.value), point.quality]);
  return (series.points as readonly AggregatePoint[]).map((point) => [iso(point.t), ...aggregates.map((aggregate) => cell(point[aggregate]))]);
}

/** Columns padded to their widest cell: the first (a time or an id) and `text` ones to the left, numbers to the right. */
function aligned(table: readonly (readonly string[])[], text: 'first column' | 'every column' = 'first column'): string[] {
  const widths = (table[0] ?? []).map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  const left = (column: number): boolean => column === 0 || text === 'every column';
  return table.map((row) => row.map((value, column) => (left(column) ? value.padEnd(widths[column] ?? 0) : value.padStart(widths[column] ?? 0))).join('  ').trimEnd());
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The run's result as text: `table` (one block per series, aligned columns, times in UTC ISO), `csv`
 * (one header, a row per point with asset and metric), `json` (an array of series, each exactly the
 * query function's response body, times as epoch ms). The columns are those `plan` asks for (the
 * requested aggregates in canonical order, or the raw reading's), points or none.
 */
export function formatQueryResult(result: QueryRunResult, format: OutputFormat, plan: QueryPlan): string {
  if (result.kind === 'assets') {
    const header = ['assetId', 'status', 'lastSeen', 'metrics'];
    const table = result.assets.map((asset) => [asset.assetId, asset.status, asset.lastSeen === undefined ? '' : iso(asset.lastSeen), asset.metrics.join(' ')]);
    if (format === 'json') return `${JSON.stringify({ lineId: result.lineId, assets: result.assets }, null, 2)}\n`;
    if (format === 'csv') return [header, ...table].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
    return `${aligned([header, ...table], 'every column').join('\n')}\n`;
  }
  const series = result.series;
  if (format === 'json') return `${JSON.stringify(series.map(({ itemsRead: _itemsRead, capacityUnits: _capacityUnits, ...body }) => body), null, 2)}\n`;
  const aggregates = aggregatesOf(plan);
  const raw = requestOf(plan)?.step === 'raw';
  const columns = raw ? ['t', 'value', 'quality'] : ['t', ...aggregates];
  if (format === 'csv') {
    const lines = [['assetId', 'metric', ...columns].join(',')];
    for (const s of series) for (const row of rows(s, aggregates)) lines.push([s.assetId, s.metric, ...row].map(csvField).join(','));
    return `${lines.join('\n')}\n`;
  }
  const blocks = series.map((s) => {
    const title = `${s.assetId} ${s.metric}  [${iso(s.from)}, ${iso(s.to)})  step ${s.step}  ${s.points.length} points`;
    return [title, ...aligned([columns, ...rows(s, aggregates)])].join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}
