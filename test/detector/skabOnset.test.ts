import { formatOnset } from '../../scripts/lib/formatOnset';
import { nearestRankQuantile } from '../../scripts/lib/nearestRankQuantile';
import { onsetOutcome } from '../../scripts/lib/onsetOutcome';
import { sumOnsetOutcomes } from '../../scripts/lib/sumOnsetOutcomes';

describe('onset delay', () => {
  // One row per second; warm-up of 2 rows.
  const times = Array.from({ length: 14 }, (_, row) => 1_000_000 + row * 1000);

  it('measures each 0→1 label transition to the first flag inside its span, and counts spans without a flag as misses', () => {
    const labels = [0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1];
    const flags = [0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0];
    // Onset at row 3 flagged at row 5 (2 s); onset at row 8 has no flag before its span ends (the flag at 10 is after it);
    // onset at row 11 is flagged at once.
    expect(onsetOutcome(times, labels, flags, 2)).toEqual({ delays: [2, 0], missed: 1 });
  });

  it('counts a flag already raised before the onset as delay 0 and ignores onsets inside the warm-up', () => {
    const labels = [0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const flags = [0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    expect(onsetOutcome(times, labels, flags, 2)).toEqual({ delays: [0], missed: 0 });
  });

  it('pools files and takes nearest-rank quantiles', () => {
    const pooled = sumOnsetOutcomes([
      { delays: [30, 10], missed: 1 },
      { delays: [20, 40, 50], missed: 0 },
    ]);
    expect(pooled).toEqual({ delays: [30, 10, 20, 40, 50], missed: 1 });
    expect(nearestRankQuantile(pooled.delays, 0.5)).toBe(30);
    expect(nearestRankQuantile(pooled.delays, 0.9)).toBe(50);
    expect(nearestRankQuantile([], 0.5)).toBeNaN();
    expect(formatOnset(pooled)).toBe('median 30 s   p90 50 s   detected 5   missed 1');
    expect(formatOnset({ delays: [], missed: 2 })).toBe('median -   p90 -   detected 0   missed 2');
  });
});
