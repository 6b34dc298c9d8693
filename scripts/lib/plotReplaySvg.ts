/**
 * Hand-written SVG of one replayed file, so an operator sees why the detector fired: one strip
 * per metric (each scaled to its own range), the smoothed score against its threshold on a log
 * scale, the warm-up, the flagged spans, the labelled spans when the file has labels, and the
 * contributors named at each episode start.
 */
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

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

function fixed(value: number): string {
  return value.toFixed(1);
}

/** Contiguous index ranges [start, end) where `flags[i]` is non-zero. */
export function flaggedSpans(flags: ArrayLike<number>): [number, number][] {
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

/** Points of a strip; values that are NaN are gaps. Long series become a per-column min/max envelope. */
function polylinePoints(values: readonly number[], x: (i: number) => number, y: (v: number) => number, columns: number): string[] {
  const paths: string[] = [];
  let current: string[] = [];
  const flush = (): void => {
    if (current.length > 1) paths.push(current.join(' '));
    current = [];
  };
  if (values.length <= columns * LAYOUT.maxPointsPerColumn) {
    values.forEach((value, i) => {
      if (Number.isFinite(value)) current.push(`${fixed(x(i))},${fixed(y(value))}`);
      else flush();
    });
  } else {
    const perColumn = values.length / columns;
    for (let column = 0; column < columns; column++) {
      let min = Infinity;
      let max = -Infinity;
      for (let i = Math.floor(column * perColumn); i < Math.floor((column + 1) * perColumn); i++) {
        if (!Number.isFinite(values[i])) continue;
        min = Math.min(min, values[i]);
        max = Math.max(max, values[i]);
      }
      if (min > max) {
        flush();
        continue;
      }
      const px = x(column * perColumn);
      current.push(`${fixed(px)},${fixed(y(min))}`, `${fixed(px)},${fixed(y(max))}`);
    }
  }
  flush();
  return paths;
}

function niceStep(range: number, targetTicks: number): number {
  const raw = range / targetTicks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalised = raw / magnitude;
  return (normalised < 1.5 ? 1 : normalised < 3.5 ? 2 : normalised < 7.5 ? 5 : 10) * magnitude;
}

export function plotReplaySvg(result: ReplayResult): string {
  const { file } = result;
  const count = file.samples.length;
  const metrics = file.metrics;
  const plotWidth = LAYOUT.width - LAYOUT.left - LAYOUT.right;
  const metricsTop = LAYOUT.top + (file.labelled ? LAYOUT.labelBand + 4 : 0);
  const scoreTop = metricsTop + metrics.length * (LAYOUT.metricHeight + LAYOUT.metricGap) + 8;
  const height = scoreTop + LAYOUT.scoreHeight + LAYOUT.bottom;
  const x = (i: number): number => LAYOUT.left + (count <= 1 ? 0 : (i / (count - 1)) * plotWidth);
  const spanWidth = (start: number, end: number): number => Math.max(1, x(Math.min(end, count - 1)) - x(start));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LAYOUT.width}" height="${fixed(height)}" viewBox="0 0 ${LAYOUT.width} ${fixed(height)}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  );
  const flaggedCount = result.anomalous.reduce((sum, flag) => sum + flag, 0);
  out.push(
    `<text x="${LAYOUT.left}" y="18" font-size="14" font-weight="bold" fill="${COLOURS.text}">${escapeXml(file.name)}: ${count} samples, ${flaggedCount} flagged, ${result.openings.size} episode(s)</text>`,
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

  // One strip per metric, scaled to the metric's own range in this file.
  metrics.forEach((metric, row) => {
    const top = metricsTop + row * (LAYOUT.metricHeight + LAYOUT.metricGap);
    const values = file.samples.map((entry) => {
      const reading = entry.sample.values[metric];
      return reading === undefined || reading.quality === 'BAD' ? Number.NaN : reading.value;
    });
    const finite = values.filter(Number.isFinite);
    const min = finite.length > 0 ? Math.min(...finite) : 0;
    const max = finite.length > 0 ? Math.max(...finite) : 1;
    const y = (value: number): number => top + LAYOUT.metricHeight - ((value - min) / (max - min || 1)) * LAYOUT.metricHeight;
    out.push(`<rect x="${LAYOUT.left}" y="${fixed(top)}" width="${plotWidth}" height="${LAYOUT.metricHeight}" fill="none" stroke="${COLOURS.grid}"/>`);
    out.push(`<text x="${LAYOUT.left - 6}" y="${fixed(top + 16)}" text-anchor="end" fill="${COLOURS.text}">${escapeXml(metric)}</text>`);
    out.push(`<text x="${LAYOUT.left - 6}" y="${fixed(top + 30)}" text-anchor="end" fill="#888888" font-size="9">${escapeXml(`${min.toPrecision(4)} … ${max.toPrecision(4)}`)}</text>`);
    for (const points of polylinePoints(values, x, y, plotWidth)) {
      out.push(`<polyline fill="none" stroke="${COLOURS.line}" stroke-width="0.8" points="${points}"/>`);
    }
  });

  // Score and threshold on a log scale (the score spans orders of magnitude).
  const scores = Array.from(result.scores, (score) => (score > 0 ? score : Number.NaN));
  const thresholds = Array.from(result.thresholds, (threshold) => (Number.isFinite(threshold) && threshold > 0 ? threshold : Number.NaN));
  const positive = [...scores, ...thresholds].filter(Number.isFinite);
  const logMin = Math.floor(Math.log10(positive.length > 0 ? Math.max(Math.min(...positive), 1e-3) : 0.1));
  const logMax = Math.max(logMin + 1, Math.ceil(Math.log10(positive.length > 0 ? Math.max(...positive) : 10)));
  const yScore = (value: number): number =>
    scoreTop + LAYOUT.scoreHeight - ((Math.log10(Math.max(value, 10 ** logMin)) - logMin) / (logMax - logMin)) * LAYOUT.scoreHeight;
  out.push(`<rect x="${LAYOUT.left}" y="${fixed(scoreTop)}" width="${plotWidth}" height="${LAYOUT.scoreHeight}" fill="none" stroke="${COLOURS.grid}"/>`);
  for (let power = logMin; power <= logMax; power++) {
    const y = yScore(10 ** power);
    out.push(`<line x1="${LAYOUT.left}" x2="${LAYOUT.left + plotWidth}" y1="${fixed(y)}" y2="${fixed(y)}" stroke="${COLOURS.grid}"/>`);
    out.push(`<text x="${LAYOUT.left - 6}" y="${fixed(y + 4)}" text-anchor="end" fill="#888888" font-size="9">${10 ** power >= 1 ? 10 ** power : (10 ** power).toPrecision(1)}</text>`);
  }
  out.push(`<text x="${LAYOUT.left - 40}" y="${fixed(scoreTop + 16)}" text-anchor="end" fill="${COLOURS.text}">score</text>`);
  for (const points of polylinePoints(scores, x, yScore, plotWidth)) {
    out.push(`<polyline fill="none" stroke="${COLOURS.score}" stroke-width="1" points="${points}"/>`);
  }
  for (const points of polylinePoints(thresholds, x, yScore, plotWidth)) {
    out.push(`<polyline fill="none" stroke="${COLOURS.threshold}" stroke-width="1.2" stroke-dasharray="5,3" points="${points}"/>`);
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
