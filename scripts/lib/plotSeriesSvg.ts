/**
 * Hand-written SVG of the series of one `npm run query` run: one strip per series on a shared time axis,
 * each scaled to its own range; roll-ups draw the min-max band and the average (or the first aggregate
 * asked for), raw series their readings with BAD ones marked.
 */
import type { AggregatePoint, RawPoint, SeriesResult } from '../../functions/shared/query/types';
import { escapeXml } from './escapeXml';
import { niceStep } from './niceStep';

const LAYOUT = { width: 1200, left: 230, right: 20, top: 40, strip: 90, gap: 14, bottom: 40 } as const;
const COLOURS = { line: '#1f4e79', band: 'rgba(31, 78, 121, 0.18)', bad: '#c0392b', grid: '#dddddd', text: '#333333' } as const;

interface Trace {
  readonly t: number;
  readonly y: number;
  readonly low?: number;
  readonly high?: number;
  readonly bad?: boolean;
}

function traceOf(series: SeriesResult): { label: string; points: Trace[] } {
  if (series.step === 'raw') {
    return { label: 'value', points: (series.points as readonly RawPoint[]).map((p) => ({ t: p.t, y: p.value, bad: p.quality === 'BAD' })) };
  }
  const points = series.points as readonly AggregatePoint[];
  const first = points[0];
  const key = first === undefined ? 'avg' : (['avg', 'max', 'min', 'sum', 'count', 'stddev'] as const).find((name) => first[name] !== undefined) ?? 'avg';
  return {
    label: key,
    points: points.map((p) => ({
      t: p.t,
      y: p[key] ?? NaN,
      ...(p.min !== undefined && p.max !== undefined ? { low: p.min, high: p.max } : {}),
    })),
  };
}

const num = (value: number): string => value.toFixed(1);

/** One strip per series over the range they cover together; at least one series (the range comes from them). */
export function plotSeriesSvg(series: readonly SeriesResult[]): string {
  if (series.length === 0) throw new RangeError('plotSeriesSvg: no series to plot');
  const from = Math.min(...series.map((s) => s.from));
  const to = Math.max(...series.map((s) => s.to));
  const plotWidth = LAYOUT.width - LAYOUT.left - LAYOUT.right;
  const height = LAYOUT.top + series.length * (LAYOUT.strip + LAYOUT.gap) + LAYOUT.bottom;
  const x = (t: number): number => LAYOUT.left + ((t - from) / Math.max(1, to - from)) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LAYOUT.width}" height="${height}" viewBox="0 0 ${LAYOUT.width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LAYOUT.left}" y="20" fill="${COLOURS.text}" font-size="13">${escapeXml(`${new Date(from).toISOString()} to ${new Date(to).toISOString()} (UTC), step ${series[0]?.step ?? ''}`)}</text>`,
  ];
  series.forEach((s, index) => {
    const top = LAYOUT.top + index * (LAYOUT.strip + LAYOUT.gap);
    const { label, points } = traceOf(s);
    const values = points.flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y]).filter(Number.isFinite);
    let low = values.length > 0 ? values.reduce((a, b) => Math.min(a, b)) : 0;
    let high = values.length > 0 ? values.reduce((a, b) => Math.max(a, b)) : 1;
    if (high === low) [low, high] = [low - 1, high + 1];
    const y = (v: number): number => top + LAYOUT.strip - ((v - low) / (high - low)) * LAYOUT.strip;
    parts.push(`<rect x="${LAYOUT.left}" y="${top}" width="${plotWidth}" height="${LAYOUT.strip}" fill="none" stroke="${COLOURS.grid}"/>`);
    parts.push(`<text x="${LAYOUT.left - 8}" y="${top + 14}" text-anchor="end" fill="${COLOURS.text}">${escapeXml(`${s.assetId} ${s.metric}`)}</text>`);
    parts.push(`<text x="${LAYOUT.left - 8}" y="${top + 28}" text-anchor="end" fill="${COLOURS.text}">${escapeXml(`${label}, ${s.points.length} points`)}</text>`);
    parts.push(`<text x="${LAYOUT.left - 8}" y="${top + LAYOUT.strip}" text-anchor="end" fill="${COLOURS.text}">${escapeXml(`${low.toPrecision(4)} .. ${high.toPrecision(4)}`)}</text>`);
    const banded = points.filter((p) => p.low !== undefined && p.high !== undefined);
    if (banded.length > 1) {
      const upper = banded.map((p) => `${num(x(p.t))},${num(y(p.high as number))}`);
      const lower = [...banded].reverse().map((p) => `${num(x(p.t))},${num(y(p.low as number))}`);
      parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${COLOURS.band}" stroke="none"/>`);
    }
    const line = points.filter((p) => Number.isFinite(p.y)).map((p) => `${num(x(p.t))},${num(y(p.y))}`);
    if (line.length > 0) parts.push(`<polyline points="${line.join(' ')}" fill="none" stroke="${COLOURS.line}" stroke-width="1"/>`);
    for (const p of points.filter((point) => point.bad === true)) parts.push(`<circle cx="${num(x(p.t))}" cy="${num(y(p.y))}" r="2" fill="${COLOURS.bad}"/>`);
  });
  const axisY = LAYOUT.top + series.length * (LAYOUT.strip + LAYOUT.gap);
  const tick = niceStep(Math.max(1, to - from), 8);
  for (let t = Math.ceil(from / tick) * tick; t <= to; t += tick) {
    parts.push(`<line x1="${num(x(t))}" y1="${LAYOUT.top}" x2="${num(x(t))}" y2="${axisY}" stroke="${COLOURS.grid}"/>`);
    parts.push(`<text x="${num(x(t))}" y="${axisY + 14}" text-anchor="middle" fill="${COLOURS.text}">${escapeXml(new Date(t).toISOString().slice(5, 16).replace('T', ' '))}</text>`);
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
