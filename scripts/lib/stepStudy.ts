import type { DetectorSettings, Sample } from '../../functions/shared/detector';
import { nearestRankQuantile } from './nearestRankQuantile';
import type { ReplayFile, ReplaySample } from './readReplayFile';
import { replayFile } from './replayRun';
import { warmupDeviations } from './warmupDeviations';

/** Metrics moved together by one step, each by `sigmas` of its own standard deviation. */
export interface StepSpec {
  readonly metrics: readonly string[];
  readonly sigmas: number;
  /** 'ramp': the shift grows linearly from 0 to `sigmas` over the step's rows (a slow fault). @default 'step' */
  readonly shape?: 'step' | 'ramp';
}

export interface StepStudyOptions {
  readonly warmupSamples: number;
  /** A detector per position, warmed up on the rows before it, instead of one over the whole file. */
  readonly fresh: boolean;
  readonly steps: readonly StepSpec[];
  /** The detector's other settings. @default {} */
  readonly settings?: DetectorSettings;
  /** Rows a step lasts (a ramp's length). @default 300 */
  readonly durationRows?: number;
  /** First row a step may start at. @default 4000 */
  readonly firstRow?: number;
  /** Rows between candidate positions. @default 250 */
  readonly spacingRows?: number;
}

export interface StepOutcome {
  readonly step: StepSpec;
  /** Positions where a flag came within the step. */
  readonly found: number;
  /** Median rows from the step's start to its first flag, over the positions where it was found. */
  readonly medianDelay: number | undefined;
  /** Share of the step's rows flagged, over all positions. */
  readonly flaggedShare: number;
}

export interface StepStudyResult {
  /** Share of the judged rows flagged without any step (one detector over the whole file; fresh: pooled over the positions' windows). */
  readonly baselineFlagged: number;
  /** Candidate positions where the recording without a step is quiet from 50 rows before to the step's end. */
  readonly positions: readonly number[];
  readonly outcomes: readonly StepOutcome[];
}

/** Rows a step lasts unless told otherwise. */
export const DEFAULT_DURATION_ROWS = 300;
/** Rows a position must be quiet before its step starts, so a flag in the step is the step's. */
const QUIET_LEAD_ROWS = 50;
/** Judged rows a fresh detector sees before its step (SKAB files have 200–400 between the warm-up and the first fault). */
const FRESH_LEAD_ROWS = 300;

/** The file with `step` added from row `at` for `duration` rows. */
function withStep(file: ReplayFile, step: StepSpec, at: number, duration: number, deviations: ReadonlyMap<string, number>): ReplayFile {
  const samples = file.samples.map((entry, row): ReplaySample => {
    if (row < at || row >= at + duration) return entry;
    const share = step.shape === 'ramp' ? (row - at + 1) / duration : 1;
    const values: Record<string, Sample['values'][string]> = { ...entry.sample.values };
    for (const metric of step.metrics) {
      const reading = values[metric];
      if (reading !== undefined) values[metric] = { ...reading, value: reading.value + share * step.sigmas * (deviations.get(metric) ?? 0) };
    }
    return { ...entry, sample: { ...entry.sample, values } };
  });
  return { ...file, samples };
}

/**
 * Flags of every row when replaying `file` for a step at `at`: one detector from row 0, or (fresh)
 * one from `warmupSamples + FRESH_LEAD_ROWS` rows before `at` (rows before it count as unflagged).
 */
function flagsFor(file: ReplayFile, at: number, options: StepStudyOptions): Uint8Array {
  const settings = { ...options.settings, warmupSamples: options.warmupSamples };
  if (!options.fresh) return replayFile(file, settings).anomalous;
  const start = at - options.warmupSamples - FRESH_LEAD_ROWS;
  const flags = new Uint8Array(file.samples.length);
  flags.set(replayFile({ ...file, samples: file.samples.slice(start) }, settings).anomalous, start);
  return flags;
}

export function stepStudy(file: ReplayFile, options: StepStudyOptions): StepStudyResult {
  const duration = options.durationRows ?? DEFAULT_DURATION_ROWS;
  const spacing = options.spacingRows ?? 250;
  const earliest = options.warmupSamples + (options.fresh ? FRESH_LEAD_ROWS : QUIET_LEAD_ROWS);
  const deviations = warmupDeviations(file);
  const baseline = options.fresh ? undefined : flagsFor(file, 0, options);
  const positions: number[] = [];
  let baselineFlaggedRows = 0;
  let baselineJudgedRows = 0;
  for (let at = Math.max(options.firstRow ?? 4000, earliest); at + duration <= file.samples.length; at += spacing) {
    const flags = baseline ?? flagsFor(file, at, options);
    if (baseline === undefined) {
      for (let row = at - FRESH_LEAD_ROWS; row < at + duration; row++) baselineFlaggedRows += flags[row];
      baselineJudgedRows += FRESH_LEAD_ROWS + duration;
    }
    if (flags.subarray(at - QUIET_LEAD_ROWS, at + duration).every((flag) => flag === 0)) positions.push(at);
  }
  if (baseline !== undefined) {
    for (let row = options.warmupSamples; row < baseline.length; row++) baselineFlaggedRows += baseline[row];
    baselineJudgedRows = baseline.length - options.warmupSamples;
  }
  const outcomes = options.steps.map((step): StepOutcome => {
    const delays: number[] = [];
    let flaggedRows = 0;
    for (const at of positions) {
      const window = flagsFor(withStep(file, step, at, duration, deviations), at, options).subarray(at, at + duration);
      const first = window.indexOf(1);
      if (first >= 0) delays.push(first);
      flaggedRows += window.reduce((sum, flag) => sum + flag, 0);
    }
    return {
      step,
      found: delays.length,
      medianDelay: delays.length === 0 ? undefined : nearestRankQuantile(delays, 0.5),
      flaggedShare: positions.length === 0 ? 0 : flaggedRows / (positions.length * duration),
    };
  });
  return { baselineFlagged: baselineJudgedRows === 0 ? 0 : baselineFlaggedRows / baselineJudgedRows, positions, outcomes };
}
