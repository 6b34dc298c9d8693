/**
 * Hand-written SVG of one replayed file, so an operator sees why the detector fired: one strip
 * per metric (per asset and metric when the file holds several assets; each scaled to its own
 * range), the smoothed score against its threshold on a log scale (one trace per asset), the
 * warm-up, the flagged spans, the labelled spans when the file has labels, and the contributors
 * named at each episode start. Written for long files: no array is spread into a call.
 */
import { escapeXml } from './escapeXml';
import { niceStep } from './niceStep';
import type { ReplayResult } from './replayRun';

const LAYOUT = {
  width: 1200,
  left: 190,
  right: 20,
  top: 46,
  metricHeight: 46,
  metricGap: 6,
  scoreHeight: 150,
  labelBand: 10,
  bottom: 44,
  /** Above this many samples per pixel column, a strip is drawn as a min/max envelope. */
  maxPointsPerColumn: 1,
} as const;

const COLOURS = {
  line: '#1f4e79',
  score: '#222222',
  threshold: '#c0392b',
  flagged: 'rgba(231, 76, 60, 0.18)',
  warmup: 'rgba(127, 140, 141, 0.18)',
  label: '#e67e22',
  grid: '#dddddd',
  text: '#333333',
} as const;

function fixed(value: number): string {
  return value.toFixed(1);
}

/** Contiguous index ranges [start, end) where `flags[i]` is non-zero. */
function flaggedSpans(flags: ArrayLike<number>): [number, number][] {
  const spans: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= flags.length; i++) {
    const on = i < flags.length && flags[i] > 0;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      spans.push([start, i]);
      start = -1;
    }
  }
  return spans;
}

/**
 * One drawn series: the sample indices it has a value at (ascending) and those values; NaN is a
 * gap. Indices of other assets are simply absent, so their samples do not break the line.
 */
interface Series {
  readonly indices: readonly number[];
  readonly values: readonly number[];
}

/** Smallest and largest finite value (a loop: a spread of 86,400 values would overflow the stack). */
function finiteRange(values: Iterable<number>): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return min <= max ? { min, max } : null;
}

/** Points of a series; NaN values are gaps. A series denser than the pixel columns becomes a per-column min/max envelope. */
function polylinePoints(series: Series, x: (i: number) => number, y: (v: number) => number, columns: number, count: number): string[] {
  const paths: string[] = [];
  let current: string[] = [];
  const flush = (): void => {
    if (current.length > 1) paths.push(current.join(' '));
    current = [];
  };
  const { indices, values } = series;
  if (values.length <= columns * LAYOUT.maxPointsPerColumn) {
    for (let k = 0; k < values.length; k++) {
      if (Number.isFinite(values[k])) current.push(`${fixed(x(indices[k]))},${fixed(y(values[k]))}`);
      else flush();
    }
  } else {
    const perColumn = Math.max(count, 1) / columns;
    let k = 0;
    for (let column = 0; column < columns; column++) {
      const end = (column + 1) * perColumn;
      let min = Infinity;
      let max = -Infinity;
      let gap = false;
      for (; k < indices.length && indices[k] < end; k++) {
        const value = values[k];
        if (!Number.isFinite(value)) {
          gap = true;
          continue;
        }
        if (value < min) min = value;
        if (value > max) max = value;
      }
      if (min > max) {
        if (gap) flush();
        continue;
      }
      const px = x(column * perColumn);
      current.push(`${fixed(px)},${fixed(y(min))}`, `${fixed(px)},${fixed(y(max))}`);
    }
  }
  flush();
  return paths;
}

/** Assets in order of first appearance, with the indices of their samples. */
function assetIndices(result: ReplayResult): Map<string, number[]> {
  const byAsset = new Map<string, number[]>();
  result.file.samples.forEach(({ asset }, index) => {
    let indices = byAsset.get(asset);
    if (indices === undefined) byAsset.set(asset, (indices = []));
    indices.push(index);
  });
  return byAsset;
}

export function plotReplaySvg(result: ReplayResult): string {
  const { file } = result;
  const count = file.samples.length;
  const byAsset = assetIndices(result);
  const multiAsset = byAsset.size > 1;
  // One strip per asset and metric that has readings, so assets are never interleaved in one trace.
  const strips: { label: string; series: Series }[] = [];
  for (const [asset, indices] of byAsset) {
    for (const metric of file.metrics) {
      const own: number[] = [];
      const values: number[] = [];
      for (const index of indices) {
        const reading = file.samples[index].sample.values[metric];
        if (reading === undefined) continue;
        own.push(index);
        values.push(reading.quality === 'BAD' ? Number.NaN : reading.value);
      }
      if (own.length > 0 || !multiAsset) strips.push({ label: multiAsset ? `${asset} · ${metric}` : metric, series: { indices: own, values } });
    }
  }
  const plotWidth = LAYOUT.width - LAYOUT.left - LAYOUT.right;
  const metricsTop = LAYOUT.top + (file.labelled ? LAYOUT.labelBand + 4 : 0);
  const scoreTop = metricsTop + strips.length * (LAYOUT.metricHeight + LAYOUT.metricGap) + 8;
  const height = scoreTop + LAYOUT.scoreHeight + LAYOUT.bottom;
  const x = (i: number): number => LAYOUT.left + (count <= 1 ? 0 : (i / (count - 1)) * plotWidth);
  const spanWidth = (start: number, end: number): number => Math.max(1, x(Math.min(end, count - 1)) - x(start));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LAYOUT.width}" height="${fixed(height)}" viewBox="0 0 ${LAYOUT.width} ${fixed(height)}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  );
  let flaggedCount = 0;
  for (const flag of result.anomalous) flaggedCount += flag;
  out.push(
    `<text x="${LAYOUT.left}" y="18" font-size="14" font-weight="bold" fill="${COLOURS.text}">${escapeXml(file.name)}: ${count} samples${multiAsset ? ` of ${byAsset.size} assets` : ''}, ${flaggedCount} flagged, ${result.openings.size} episode(s)</text>`,
    `<text x="${LAYOUT.left}" y="34" fill="${COLOURS.text}">grey: warm-up · red band: flagged by the detector${file.labelled ? ' · orange bar: labelled anomaly (not seen by the detector)' : ''} · score on a log scale, dashed: threshold</text>`,
  );

  // Backgrounds across all strips: warm-up, then flagged spans.
  const bandTop = metricsTop;
  const bandHeight = scoreTop + LAYOUT.scoreHeight - metricsTop;
  for (const [start, end] of flaggedSpans(result.warmingUp)) {
    out.push(`<rect x="${fixed(x(start))}" y="${fixed(bandTop)}" width="${fixed(spanWidth(start, end))}" height="${fixed(bandHeight)}" fill="${COLOURS.warmup}"/>`);
  }
  for (const [start, end] of flaggedSpans(result.anomalous)) {
    out.push(`<rect x="${fixed(x(start))}" y="${fixed(bandTop)}" width="${fixed(spanWidth(start, end))}" height="${fixed(bandHeight)}" fill="${COLOURS.flagged}"/>`);
  }
  if (file.labelled) {
    const labels = file.samples.map((entry) => entry.label ?? 0);
    out.push(`<text x="${LAYOUT.left - 6}" y="${LAYOUT.top + 9}" text-anchor="end" fill="${COLOURS.text}">label</text>`);
    for (const [start, end] of flaggedSpans(labels)) {
      out.push(`<rect x="${fixed(x(start))}" y="${LAYOUT.top}" width="${fixed(spanWidth(start, end))}" height="${LAYOUT.labelBand}" fill="${COLOURS.label}"/>`);
    }
  }

  // One strip per series, scaled to its own range in this file.
  strips.forEach(({ label, series }, row) => {
    const top = metricsTop + row * (LAYOUT.metricHeight + LAYOUT.metricGap);
    const range = finiteRange(series.values) ?? { min: 0, max: 1 };
    const { min, max } = range;
    const y = (value: number): number => top + LAYOUT.metricHeight - ((value - min) / (max - min || 1)) * LAYOUT.metricHeight;
    out.push(`<rect x="${LAYOUT.left}" y="${fixed(top)}" width="${plotWidth}" height="${LAYOUT.metricHeight}" fill="none" stroke="${COLOURS.grid}"/>`);
    out.push(`<text x="${LAYOUT.left - 6}" y="${fixed(top + 16)}" text-anchor="end" fill="${COLOURS.text}">${escapeXml(label)}</text>`);
    out.push(`<text x="${LAYOUT.left - 6}" y="${fixed(top + 30)}" text-anchor="end" fill="#888888" font-size="9">${escapeXml(`${min.toPrecision(4)} … ${max.toPrecision(4)}`)}</text>`);
    for (const points of polylinePoints(series, x, y, plotWidth, count)) {
      out.push(`<polyline fill="none" stroke="${COLOURS.line}" stroke-width="0.8" points="${points}"/>`);
    }
  });

  // Score and threshold on a log scale (the score spans orders of magnitude), one trace per asset.
  const positive = (value: number): number => (Number.isFinite(value) && value > 0 ? value : Number.NaN);
  const scoreRange = finiteRange([...Array.from(result.scores, positive), ...Array.from(result.thresholds, positive)].values());
  const logMin = Math.floor(Math.log10(scoreRange === null ? 0.1 : Math.max(scoreRange.min, 1e-3)));
  const logMax = Math.max(logMin + 1, Math.ceil(Math.log10(scoreRange === null ? 10 : scoreRange.max)));
  const yScore = (value: number): number =>
    scoreTop + LAYOUT.scoreHeight - ((Math.log10(Math.max(value, 10 ** logMin)) - logMin) / (logMax - logMin)) * LAYOUT.scoreHeight;
  out.push(`<rect x="${LAYOUT.left}" y="${fixed(scoreTop)}" width="${plotWidth}" height="${LAYOUT.scoreHeight}" fill="none" stroke="${COLOURS.grid}"/>`);
  for (let power = logMin; power <= logMax; power++) {
    const y = yScore(10 ** power);
    out.push(`<line x1="${LAYOUT.left}" x2="${LAYOUT.left + plotWidth}" y1="${fixed(y)}" y2="${fixed(y)}" stroke="${COLOURS.grid}"/>`);
    out.push(`<text x="${LAYOUT.left - 6}" y="${fixed(y + 4)}" text-anchor="end" fill="#888888" font-size="9">${10 ** power >= 1 ? 10 ** power : (10 ** power).toPrecision(1)}</text>`);
  }
  out.push(`<text x="${LAYOUT.left - 40}" y="${fixed(scoreTop + 16)}" text-anchor="end" fill="${COLOURS.text}">score</text>`);
  for (const indices of byAsset.values()) {
    const scores = { indices, values: indices.map((index) => positive(result.scores[index])) };
    const thresholds = { indices, values: indices.map((index) => positive(result.thresholds[index])) };
    for (const points of polylinePoints(scores, x, yScore, plotWidth, count)) {
      out.push(`<polyline fill="none" stroke="${COLOURS.score}" stroke-width="1" points="${points}"/>`);
    }
    for (const points of polylinePoints(thresholds, x, yScore, plotWidth, count)) {
      out.push(`<polyline fill="none" stroke="${COLOURS.threshold}" stroke-width="1.2" stroke-dasharray="5,3" points="${points}"/>`);
    }
  }

  // Episode starts with their contributors.
  let opening = 0;
  for (const [index, contributors] of result.openings) {
    const px = x(index);
    // Stagger the labels so episodes that start close together stay readable.
    const labelY = scoreTop + 12 + (opening++ % 4) * 12;
    out.push(`<line x1="${fixed(px)}" x2="${fixed(px)}" y1="${fixed(metricsTop)}" y2="${fixed(scoreTop + LAYOUT.scoreHeight)}" stroke="${COLOURS.threshold}" stroke-width="1"/>`);
    if (contributors.length > 0) {
      // Near the right edge the label runs leftward from the line instead of off the canvas.
      const nearRightEdge = px > LAYOUT.width - LAYOUT.right - 260;
      const anchor = nearRightEdge ? ` text-anchor="end"` : '';
      out.push(`<text x="${fixed(nearRightEdge ? px - 3 : px + 3)}" y="${fixed(labelY)}"${anchor} fill="${COLOURS.threshold}" font-size="10">${escapeXml(contributors.join(', '))}</text>`);
    }
  }

  // Sample index axis.
  const axisY = scoreTop + LAYOUT.scoreHeight;
  const step = niceStep(Math.max(count - 1, 1), 10);
  for (let tick = 0; tick < count; tick += step) {
    out.push(`<line x1="${fixed(x(tick))}" x2="${fixed(x(tick))}" y1="${fixed(axisY)}" y2="${fixed(axisY + 4)}" stroke="${COLOURS.text}"/>`);
    out.push(`<text x="${fixed(x(tick))}" y="${fixed(axisY + 16)}" text-anchor="middle" fill="${COLOURS.text}">${tick}</text>`);
  }
  out.push(`<text x="${LAYOUT.left + plotWidth / 2}" y="${fixed(axisY + 34)}" text-anchor="middle" fill="${COLOURS.text}">sample index</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
