import { edgeRows } from '../../scripts/lib/edgeRows';
import { markedRows } from '../../scripts/lib/markedRows';
import { nabCurve } from '../../scripts/lib/nabCurve';
import { nabOutcome } from '../../scripts/lib/nabOutcome';
import { nabOutcomeAt } from '../../scripts/lib/nabOutcomeAt';
import { NAB_PROFILES, nabScore, type NabOutcome } from '../../scripts/lib/nabScore';
import { sumNabOutcomes } from '../../scripts/lib/sumNabOutcomes';

const [standard, lowFp, lowFn] = NAB_PROFILES;
/** One row per second from t = 0. */
const seconds = (count: number): number[] => Array.from({ length: count }, (_, row) => row * 1000);
/** A 0/1 series of `count` rows that is 1 on [from, to). */
const span = (count: number, from: number, to: number): number[] => Array.from({ length: count }, (_, row) => (row >= from && row < to ? 1 : 0));

describe('NAB scoring of changepoints', () => {
  it('finds both edges of a span, from the first scored row on', () => {
    expect(edgeRows(span(10, 3, 6), 0)).toEqual([3, 6]);
    expect(edgeRows(span(10, 3, 6), 4)).toEqual([6]);
    expect(edgeRows(span(10, 0, 10), 0)).toEqual([]);
  });

  it('takes the changepoints of a changepoint column as the rows marked 1, from the first scored row on', () => {
    const column = [0, 1, 0, 0, 1, 1, 0, 1];
    expect(markedRows(column, 0)).toEqual([1, 4, 5, 7]);
    expect(markedRows(column, 5)).toEqual([5, 7]);
    // Marked changepoints 30 s apart: the second window runs from the first's end (70 s) to 100 s; a flag edge at 80 s hits it a third in.
    const times = seconds(200);
    const flags = span(200, 80, 200);
    expect(nabOutcomeAt(times, [10, 40], flags, 0)).toEqual({ hits: [-Math.PI / 2 + (Math.PI * Math.round((10 / 30) * 999)) / 999], missed: 1, falsePositives: 0 });
  });

  it('scores A_tp at the window start, A_fp at its end, and follows the tanh curve between', () => {
    expect(nabCurve(-Math.PI / 2, standard)).toBeCloseTo(1, 12);
    expect(nabCurve(Math.PI / 2, standard)).toBeCloseTo(-0.11, 12);
    expect(nabCurve(0, standard)).toBeCloseTo(0.445, 12); // (1 + (−0.11)) / 2
    expect(nabCurve(0, lowFp)).toBeCloseTo(0.39, 12);
    // x = 1: 0.555 · (−tanh 1 / tanh(π/2)) + 0.555 − 0.11 = 0.555 · (−0.761594 / 0.917152) + 0.445
    expect(nabCurve(1, standard)).toBeCloseTo(-0.0158665, 6);
  });

  it('gives 100 for every changepoint flagged at once and 0 for none flagged', () => {
    const labels = span(300, 100, 200);
    const times = seconds(300);
    const exact = nabOutcome(times, labels, labels, 0);
    expect(exact).toEqual({ hits: [-Math.PI / 2, -Math.PI / 2], missed: 0, falsePositives: 0 });
    for (const profile of NAB_PROFILES) expect(nabScore(exact, profile)).toBeCloseTo(100, 12);
    const none = nabOutcome(times, labels, span(300, 0, 0), 0);
    expect(none).toEqual({ hits: [], missed: 2, falsePositives: 0 });
    for (const profile of NAB_PROFILES) expect(nabScore(none, profile)).toBeCloseTo(0, 12);
  });

  it('places a prediction on the nearest of 1,000 curve points of its 60 s window', () => {
    // Onset flagged 30 s late (point round(0.5 · 999) = 500), end flagged 60 s late (the last point).
    const outcome = nabOutcome(seconds(400), span(400, 100, 200), span(400, 130, 260), 0);
    expect(outcome.missed).toBe(0);
    expect(outcome.falsePositives).toBe(0);
    expect(outcome.hits[0]).toBeCloseTo(-Math.PI / 2 + (Math.PI * 500) / 999, 12);
    expect(outcome.hits[1]).toBeCloseTo(Math.PI / 2, 12);
    // S = nabCurve(0.0015724) + (−0.11) = (0.445 − 0.555 · 0.0015724 / 0.917152) − 0.11 = 0.334049
    expect(nabScore(outcome, standard)).toBeCloseTo((100 * (0.334049 + 2)) / 4, 3);
  });

  it('counts only the first prediction in a window, and every prediction outside the windows as a false positive', () => {
    const flags = span(600, 110, 120); // 110: hit at 10 s, 120: ignored (same window)
    for (let row = 300; row < 310; row++) flags[row] = 1; // 300 and 310: both outside every window
    const outcome = nabOutcome(seconds(600), span(600, 100, 400), flags, 0);
    expect(outcome.missed).toBe(1);
    expect(outcome.falsePositives).toBe(2);
    const atTenSeconds = -Math.PI / 2 + (Math.PI * Math.round((10 / 60) * 999)) / 999;
    expect(outcome.hits).toEqual([atTenSeconds]);
    // Hand computation, standard: curve(x) = 0.555 · (−tanh(x)/tanh(π/2)) + 0.445 at x = −π/2 + 167π/999 = −1.045625:
    // tanh(−1.045625) = −0.780100, so curve = 0.555 · 0.850568 + 0.445 = 0.917065; S = 0.917065 − 1 − 2 · 0.11.
    expect(nabScore(outcome, standard)).toBeCloseTo((100 * (0.917065 - 1 - 0.22 + 2)) / 4, 3);
    // LowFP: curve = 0.61 · 0.850568 + 0.39 = 0.908846; S = 0.908846 − 1 − 0.44.
    expect(nabScore(outcome, lowFp)).toBeCloseTo((100 * (0.908846 - 1.44 + 2)) / 4, 3);
    // LowFN: S = 0.917065 − 2 − 0.22, normalised by n · (A_tp − A_fn) = 2 · 3.
    expect(nabScore(outcome, lowFn)).toBeCloseTo((100 * (0.917065 - 2.22 + 4)) / 6, 3);
  });

  it('starts a window where the previous one ends when they meet, and gives a shared end to the earlier window', () => {
    // Changepoints at 100 s and 130 s: windows [100, 160] and [160, 190].
    const labels = span(300, 100, 130);
    const early = nabOutcome(seconds(300), labels, span(300, 145, 300), 0);
    expect(early).toMatchObject({ missed: 1, falsePositives: 0 });
    expect(early.hits).toEqual([-Math.PI / 2 + (Math.PI * Math.round((45 / 60) * 999)) / 999]);
    const onSharedEnd = nabOutcome(seconds(300), labels, span(300, 160, 170), 0);
    expect(onSharedEnd.hits).toEqual([Math.PI / 2, -Math.PI / 2 + (Math.PI * Math.round((10 / 30) * 999)) / 999]);
    expect(onSharedEnd.falsePositives).toBe(0);
  });

  it('ignores the warm-up rows and pools files before normalising', () => {
    const labels = span(300, 50, 150);
    const flags = span(300, 20, 150); // the flag's start is in the warm-up
    const outcome = nabOutcome(seconds(300), labels, flags, 100);
    expect(outcome).toEqual({ hits: [-Math.PI / 2], missed: 0, falsePositives: 0 });
    const pooled: NabOutcome = sumNabOutcomes([outcome, { hits: [], missed: 1, falsePositives: 3 }]);
    expect(pooled).toEqual({ hits: [-Math.PI / 2], missed: 1, falsePositives: 3 });
    expect(nabScore(pooled, standard)).toBeCloseTo((100 * (1 - 1 - 0.33 + 2)) / 4, 12);
    expect(nabScore({ hits: [], missed: 0, falsePositives: 2 }, standard)).toBeNaN();
  });
});
