/**
 * Seeded synthetic telemetry for the detector tests: a few correlated metrics around different
 * levels, one of them slow (autocorrelated like a temperature), and helpers to inject faults.
 * Nothing here comes from real data.
 */
import type { Quality, Sample } from '../../functions/shared/detector';
import { mulberry32 } from '../../scripts/lib/fleet/mulberry32';

/** Standard normal draws (Box-Muller) from a seeded uniform generator. */
export function seededGaussian(seed: number): () => number {
  // The fleet simulator's seeded generator: every run sees the same series.
  const uniform = mulberry32(seed);
  return () => {
    const u = Math.max(uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

export interface MetricSpec {
  readonly name: string;
  readonly level: number;
  readonly noise: number;
  /** Lag-1 autoregression of the noise (0 = white). */
  readonly autoregression: number;
}

/** Six metrics of a pump-like asset; `temperature` is slow, `current` and `power` are correlated. */
export const PUMP_METRICS: readonly MetricSpec[] = [
  { name: 'vibration', level: 2.5, noise: 0.05, autoregression: 0 },
  { name: 'current', level: 12, noise: 0.3, autoregression: 0.2 },
  { name: 'power', level: 4.4, noise: 0.1, autoregression: 0.2 },
  { name: 'pressure', level: 3.1, noise: 0.04, autoregression: 0 },
  { name: 'flow', level: 40, noise: 0.5, autoregression: 0.1 },
  { name: 'temperature', level: 65, noise: 0.05, autoregression: 0.98 },
];

/** Rows of metric values: row[t][m] for `count` samples, generated from `seed`. */
export function generateRows(count: number, seed: number, metrics: readonly MetricSpec[] = PUMP_METRICS): number[][] {
  const gaussian = seededGaussian(seed);
  const noise = metrics.map(() => 0);
  const rows: number[][] = [];
  for (let t = 0; t < count; t++) {
    const shared = gaussian(); // couples current and power
    rows.push(
      metrics.map((metric, m) => {
        const innovation = metric.name === 'power' || metric.name === 'current' ? 0.7 * shared + 0.7 * gaussian() : gaussian();
        const phi = metric.autoregression;
        noise[m] = phi * noise[m] + Math.sqrt(1 - phi * phi) * innovation;
        return metric.level + metric.noise * noise[m];
      }),
    );
  }
  return rows;
}

export const START_TS = Date.UTC(2026, 0, 5, 8, 0, 0);

/** Samples at 1 Hz from rows, every reading GOOD unless `quality` says otherwise. */
export function toSamples(
  rows: readonly (readonly number[])[],
  metrics: readonly MetricSpec[] = PUMP_METRICS,
  quality: (t: number, metric: string) => Quality = () => 'GOOD',
): Sample[] {
  return rows.map((row, t) => ({
    ts: START_TS + t * 1000,
    values: Object.fromEntries(metrics.map((metric, m) => [metric.name, { value: row[m], quality: quality(t, metric.name) }])),
  }));
}

/** Adds `shift(t)` (in units of the metric's noise) to one metric from `start` on. */
export function injectFault(
  rows: number[][],
  metricName: string,
  start: number,
  shift: (sinceStart: number) => number,
  metrics: readonly MetricSpec[] = PUMP_METRICS,
): number[][] {
  const m = metrics.findIndex((metric) => metric.name === metricName);
  return rows.map((row, t) => (t < start ? row : row.map((value, i) => (i === m ? value + shift(t - start) * metrics[m].noise : value))));
}
