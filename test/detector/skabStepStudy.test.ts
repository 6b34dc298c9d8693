import type { ReplayFile } from '../../scripts/lib/readReplayFile';
import { formatStepStudy } from '../../scripts/lib/formatStepStudy';
import { parseStep } from '../../scripts/lib/parseStep';
import { stepStudy, type StepStudyOptions } from '../../scripts/lib/stepStudy';
import { warmupDeviations } from '../../scripts/lib/warmupDeviations';
import { generateRows, PUMP_METRICS, toSamples } from './syntheticSeries';

function normalRecording(rows: number): ReplayFile {
  const samples = toSamples(generateRows(rows, 7)).map((sample) => ({ asset: 'pump-01', sample }));
  return { name: 'normal.csv', metrics: PUMP_METRICS.map((metric) => metric.name), samples, labelled: false, changepointLabelled: false };
}

describe('step study', () => {
  const file = normalRecording(2000);
  const options = (fresh: boolean): StepStudyOptions => ({
    warmupSamples: 200,
    fresh,
    steps: [
      { metrics: ['pressure'], sigmas: 8 },
      { metrics: ['pressure'], sigmas: 0 },
    ],
    durationRows: 200,
    firstRow: 600,
    spacingRows: 300,
  });

  it('sizes steps in standard deviations of the first 400 rows', () => {
    // The generator's pressure noise is 0.04.
    expect(warmupDeviations(file).get('pressure')).toBeCloseTo(0.04, 2);
  });

  it.each([false, true])('finds a large step at every quiet position soon after it starts, and no step of size 0 (fresh %s)', (fresh) => {
    const result = stepStudy(file, options(fresh));
    expect(result.baselineFlagged).toBe(0);
    expect(result.positions).toEqual([600, 900, 1200, 1500, 1800]);
    const [large, none] = result.outcomes;
    expect(large).toMatchObject({ found: 5 });
    expect(large.medianDelay).toBeLessThanOrEqual(10);
    expect(large.flaggedShare).toBeGreaterThan(0.9);
    expect(none).toEqual({ step: { metrics: ['pressure'], sigmas: 0 }, found: 0, medianDelay: undefined, flaggedShare: 0 });
  });

  it('finds a ramp later than the step it grows into, once it has grown to about the size a step needs', () => {
    const ramp = { metrics: ['pressure'], sigmas: 8, shape: 'ramp' as const };
    const [step, slow] = stepStudy(file, { ...options(false), steps: [{ metrics: ['pressure'], sigmas: 8 }, ramp] }).outcomes;
    expect(slow.found).toBe(5);
    expect(slow.medianDelay).toBeGreaterThan((step.medianDelay ?? Infinity) + 20);
    expect(slow.medianDelay).toBeLessThan(200);
    expect(slow.flaggedShare).toBeLessThan(step.flaggedShare);
  });

  it('takes steps and ramps as METRIC[+METRIC]=SIGMAS and names what is wrong otherwise', () => {
    expect(parseStep('Accelerometer1RMS+Accelerometer2RMS=20')).toEqual({ metrics: ['Accelerometer1RMS', 'Accelerometer2RMS'], sigmas: 20 });
    expect(parseStep('Volume Flow RateRMS=-5')).toEqual({ metrics: ['Volume Flow RateRMS'], sigmas: -5 });
    expect(parseStep('Pressure=-4', 'ramp')).toEqual({ metrics: ['Pressure'], sigmas: -4, shape: 'ramp' });
    for (const bad of ['pressure', '=3', 'pressure=', 'pressure=many']) {
      expect(() => parseStep(bad)).toThrow(new Error(`--step must be METRIC[+METRIC]=SIGMAS (a finite number), got ${JSON.stringify(bad)}`));
    }
    expect(() => parseStep('pressure', 'ramp')).toThrow(new Error('--ramp must be METRIC[+METRIC]=SIGMAS (a finite number), got "pressure"'));
  });

  it('prints one line per step under the baseline', () => {
    const text = formatStepStudy(options(true), {
      baselineFlagged: 0.097,
      positions: [4000, 4250],
      outcomes: [
        { step: { metrics: ['flow'], sigmas: -5 }, found: 1, medianDelay: 1, flaggedShare: 0.45 },
        { step: { metrics: ['a', 'b'], sigmas: 20 }, found: 0, medianDelay: undefined, flaggedShare: 0 },
        { step: { metrics: ['pressure'], sigmas: -4, shape: 'ramp' }, found: 2, medianDelay: 168, flaggedShare: 0.37 },
      ],
    });
    expect(text).toBe(
      [
        'a fresh detector per position (200-row warm-up just before it): 9.7% of the judged rows flagged without a step; 2 quiet positions',
        '  flow -5 σ: found at 1 of 2, median delay 1 row, 45% of its rows flagged',
        '  a + b +20 σ: found at 0 of 2, median delay -, 0% of its rows flagged',
        '  pressure ramp to -4 σ over 200 rows: found at 2 of 2, median delay 168 rows, 37% of its rows flagged',
        '',
      ].join('\n'),
    );
  });
});
