import { restoreGapStudy } from '../../scripts/lib/skabRestoreGap';
import type { ReplayFile } from '../../scripts/lib/readReplayFile';
import { generateRows, injectFault, toSamples } from './syntheticSeries';

const WARMUP = 200;
const FAULT_ROW = 500;

function file(rows: number[][]): ReplayFile {
  return { name: 'synthetic.csv', metrics: [], samples: toSamples(rows).map((sample) => ({ asset: 'pump-01', sample })), labelled: false, changepointLabelled: false };
}

describe('restore-gap study', () => {
  test('a restore from the state at the resume row changes nothing', () => {
    const rows = injectFault(generateRows(900, 5), 'flow', FAULT_ROW, () => -12);
    const result = restoreGapStudy(file(rows), { gap: 0, every: 20, horizon: 300, settings: { warmupSamples: WARMUP } });
    expect(result).toEqual({ restores: 35, restoresWithExtraEpisodes: 0, extraEpisodes: 0, missedEpisodes: 0, extraFlaggedRows: 0, lostFlaggedRows: 0 });
  });

  test('a restore whose gap spans the end of the warm-up resumes from the checkpoint taken then, not from inside the warm-up', () => {
    const rows = injectFault(generateRows(900, 5), 'flow', WARMUP + 100, () => -12);
    // One restore point: the checkpoint 60 rows before the warm-up's end, resuming right at it; the fault comes in its horizon.
    const result = restoreGapStudy(file(rows), { gap: 60, every: 10_000, horizon: 300, settings: { warmupSamples: WARMUP } });
    expect(result).toEqual({ restores: 1, restoresWithExtraEpisodes: 0, extraEpisodes: 0, missedEpisodes: 0, extraFlaggedRows: 0, lostFlaggedRows: 0 });
  });

  test('an episode that opened in the gap was checkpointed when it opened, so the restore does not open it again', () => {
    const rows = injectFault(generateRows(900, 5), 'flow', FAULT_ROW, () => -12);
    // Every restore point from row 450 to 540 has the opening (a few rows after the fault) inside its 60-row gap.
    const result = restoreGapStudy(file(rows), { gap: 60, every: 10, horizon: 300, settings: { warmupSamples: WARMUP } });
    expect(result.restores).toBeGreaterThan(60);
    expect(result.extraEpisodes).toBe(0);
  });
});
