import { LATENCY_WINDOW } from './constants';

/** Latency samples (ms) of one path: the newest LATENCY_WINDOW for live percentiles, and all-time counts. */
export class LatencySeries {
  count = 0;
  #samples: number[] = [];
  #next = 0;
  readonly #all: number[] | undefined;
  /** When each kept sample's path started (device ts), beside #all. */
  readonly #allFrom: number[] | undefined;

  /** `keepAll`: keep every sample for the final percentiles (the load test), not only the newest window. */
  constructor(keepAll = false) {
    this.#all = keepAll ? [] : undefined;
    this.#allFrom = keepAll ? [] : undefined;
  }

  /** `from`: when the sample's path started (its device ts), for percentileBetween. */
  add(ms: number, from = Number.NaN): void {
    if (!Number.isFinite(ms)) return;
    this.count += 1;
    this.#all?.push(ms);
    this.#allFrom?.push(from);
    if (this.#samples.length < LATENCY_WINDOW) this.#samples.push(ms);
    else {
      this.#samples[this.#next] = ms;
      this.#next = (this.#next + 1) % LATENCY_WINDOW;
    }
  }

  /** Percentile (0..100) of the kept samples; NaN when there are none. */
  percentile(p: number, overAll = false): number {
    return percentileOf(overAll && this.#all ? this.#all : this.#samples, p);
  }

  /** Percentile (0..100) of every sample (keepAll) whose path started in [from, to). */
  percentileBetween(p: number, from: number, to: number): number {
    const starts = this.#allFrom ?? [];
    return percentileOf(
      (this.#all ?? []).filter((_, i) => {
        const start = starts[i] ?? Number.NaN;
        return start >= from && start < to;
      }),
      p,
    );
  }
}

function percentileOf(source: readonly number[], p: number): number {
  if (source.length === 0) return Number.NaN;
  const sorted = [...source].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
