/**
 * Targets of `npm run bench`: each is checked where its figure is printed (marked MISSED when
 * missed) and counted on the benchmark's last line, so a miss cannot scroll by unnoticed.
 */

export interface BenchTarget {
  /** What the figure is, as the summary names it. */
  readonly name: string;
  readonly value: number;
  readonly comparison: '>=' | '<';
  readonly limit: number;
  /** Decimals the figure is printed with. */
  readonly digits: number;
  readonly unit?: string;
}
