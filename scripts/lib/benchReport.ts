/**
 * One function's figures in `npm run bench`: each is the median over the runs of a per-run figure.
 * The ratio is the median of the per-run ratios (each run's floor and handler time are measured back to
 * back), so it is generally not the printed throughput divided by the printed floor; the lines say so.
 */
import { type BenchTarget } from './benchTargets';
import { fmt } from './fmt';
import { median } from './median';
import { targetCell } from './targetCell';

/** What one run measured over the same batches. */
export interface RunResult {
  readonly readingsPerSecond: number;
  readonly floorPerSecond: number;
  /** Floor time / handler time over the same batches, measured back to back (robust to machine load drifting between runs). */
  readonly ratio: number;
  readonly p50: number;
  readonly p99: number;
}

export interface ReportTargets {
  readonly label: string;
  readonly ratio: number;
  readonly p99Ms: number;
}

/** The lines printed for one function, and the target checks (ratio, p99) when `targets` is given. */
export function functionReport(name: string, runs: readonly RunResult[], targets?: ReportTargets): { lines: string[]; checks: BenchTarget[] } {
  const throughput = median(runs.map((r) => r.readingsPerSecond));
  const floor = median(runs.map((r) => r.floorPerSecond));
  const ratio = median(runs.map((r) => r.ratio));
  const p50 = median(runs.map((r) => r.p50));
  const p99 = median(runs.map((r) => r.p99));
  const checks: BenchTarget[] =
    targets === undefined
      ? []
      : [
          { name: `${targets.label} ratio to floor`, value: ratio, comparison: '>=', limit: targets.ratio, digits: 3 },
          { name: `${targets.label} p99 per 1,000 records`, value: p99, comparison: '<', limit: targets.p99Ms, digits: 1, unit: 'ms' },
        ];
  const cell = (index: number): string => (checks[index] === undefined ? '' : `   ${targetCell(checks[index])}`);
  const of = runs.length === 1 ? 'of 1 run' : `of ${runs.length} runs`;
  const lines = [
    name,
    `  throughput        ${fmt(throughput).padStart(12)} readings/s   median ${of} (runs: ${runs.map((r) => fmt(r.readingsPerSecond)).join(', ')})`,
    `  parse floor       ${fmt(floor).padStart(12)} readings/s   median ${of} (base64 + JSON.parse of the same records; runs: ${runs.map((r) => fmt(r.floorPerSecond)).join(', ')})`,
    `  ratio to floor    ${fmt(ratio, 3).padStart(12)}   median of the per-run ratios, not throughput / floor (runs: ${runs.map((r) => fmt(r.ratio, 3)).join(', ')})${cell(0)}`,
    `  per 1,000 records p50 ${fmt(p50, 1)} ms, p99 ${fmt(p99, 1)} ms (medians ${of})${cell(1)}`,
  ];
  return { lines, checks };
}
