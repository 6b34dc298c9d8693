/**
 * How large a step the detector finds, and how soon, in a recording of normal operation (SKAB's
 * anomaly-free.csv): adds a step of a known size to some metrics for `durationRows` rows at quiet
 * positions and replays the recording through the production detector. The positions are known
 * exactly, so the delays are from the true onset, and the recording's own wander is the noise;
 * used to compare warm-ups (docs/detection.md, "The full benchmark, and one whole normal recording").
 *
 *   npx tsx scripts/lib/skabStepStudy.ts FILE [--warmup N] [--fresh] [--step METRIC[+METRIC]=SIGMAS]... [--ramp METRIC[+METRIC]=SIGMAS]... [--settings FILE]
 *
 * A `--ramp` grows from 0 to its size over the step's rows (a slow fault) instead of arriving at once.
 * A step's size is in standard deviations of each metric over the file's first 400 rows, so it is
 * the same physical step whatever the warm-up. `--fresh` gives each position its own detector,
 * warmed up on the rows just before it (as every SKAB file is), instead of one detector over the
 * whole recording.
 */
import { parseArgs } from 'node:util';
import type { DetectorSettings, Sample } from '../../functions/shared/detector';
import { readReplayFile, type ReplayFile, type ReplaySample } from './replayInput';
import { replayFile } from './replayRun';
import { readReplaySettings } from './replaySettings';
import { nearestRankQuantile } from './skabOnset';
import { SKAB_WARMUP_ROWS } from './skabScore';

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
const DEFAULT_DURATION_ROWS = 300;
/** Rows a position must be quiet before its step starts, so a flag in the step is the step's. */
const QUIET_LEAD_ROWS = 50;
/** Judged rows a fresh detector sees before its step (SKAB files have 200–400 between the warm-up and the first fault). */
const FRESH_LEAD_ROWS = 300;

/** Standard deviation of each metric over the first `rows` rows (the SKAB warm-up), for step sizes. */
export function warmupDeviations(file: ReplayFile, rows = SKAB_WARMUP_ROWS): ReadonlyMap<string, number> {
  const deviations = new Map<string, number>();
  for (const metric of file.metrics) {
    const values = file.samples.slice(0, rows).flatMap(({ sample }) => (sample.values[metric] === undefined ? [] : [sample.values[metric].value]));
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    deviations.set(metric, Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length));
  }
  return deviations;
}

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

/** `Volume Flow RateRMS=-5` or `Accelerometer1RMS+Accelerometer2RMS=20` (a ramp with `shape` 'ramp'). */
export function parseStep(text: string, shape: 'step' | 'ramp' = 'step'): StepSpec {
  const separator = text.lastIndexOf('=');
  const sigmas = Number(text.slice(separator + 1));
  const metrics = text.slice(0, Math.max(separator, 0)).split('+').filter((metric) => metric !== '');
  if (separator < 0 || metrics.length === 0 || text.slice(separator + 1).trim() === '' || !Number.isFinite(sigmas)) {
    throw new Error(`--${shape} must be METRIC[+METRIC]=SIGMAS (a finite number), got ${JSON.stringify(text)}`);
  }
  return shape === 'ramp' ? { metrics, sigmas, shape } : { metrics, sigmas };
}

/** The steps of docs/detection.md: SKAB's fault families at the sizes their labelled files show. */
export const DEFAULT_STEPS: readonly StepSpec[] = [
  { metrics: ['Volume Flow RateRMS'], sigmas: -5 },
  { metrics: ['Volume Flow RateRMS'], sigmas: -3 },
  { metrics: ['Temperature'], sigmas: -3 },
  { metrics: ['Thermocouple'], sigmas: 4 },
  { metrics: ['Accelerometer1RMS', 'Accelerometer2RMS'], sigmas: 20 },
  { metrics: ['Pressure'], sigmas: -4 },
];

export function formatStepStudy(options: StepStudyOptions, result: StepStudyResult): string {
  const mode = options.fresh ? `a fresh detector per position (${options.warmupSamples}-row warm-up just before it)` : `one detector, ${options.warmupSamples}-row warm-up`;
  const lines = [
    `${mode}: ${(100 * result.baselineFlagged).toFixed(1)}% of the judged rows flagged without a step; ${result.positions.length} quiet positions`,
  ];
  for (const outcome of result.outcomes) {
    const size = `${outcome.step.sigmas > 0 ? '+' : ''}${outcome.step.sigmas} σ`;
    const name = `${outcome.step.metrics.join(' + ')} ${outcome.step.shape === 'ramp' ? `ramp to ${size} over ${options.durationRows ?? DEFAULT_DURATION_ROWS} rows` : size}`;
    const delay = outcome.medianDelay === undefined ? '-' : `${outcome.medianDelay} row${outcome.medianDelay === 1 ? '' : 's'}`;
    lines.push(`  ${name}: found at ${outcome.found} of ${result.positions.length}, median delay ${delay}, ${(100 * outcome.flaggedShare).toFixed(0)}% of its rows flagged`);
  }
  return `${lines.join('\n')}\n`;
}

const USAGE = 'tsx scripts/lib/skabStepStudy.ts FILE [--warmup N] [--fresh] [--step METRIC[+METRIC]=SIGMAS]... [--ramp METRIC[+METRIC]=SIGMAS]... [--settings FILE]';

function main(): void {
  const { values, positionals } = parseArgs({
    options: {
      warmup: { type: 'string' },
      fresh: { type: 'boolean' },
      step: { type: 'string', multiple: true },
      ramp: { type: 'string', multiple: true },
      settings: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new Error(`usage: ${USAGE}`);
  const warmupSamples = Number(values.warmup ?? SKAB_WARMUP_ROWS);
  if (!Number.isInteger(warmupSamples) || warmupSamples < 10) throw new Error(`--warmup must be an integer of at least 10, got ${JSON.stringify(values.warmup)}`);
  const options: StepStudyOptions = {
    warmupSamples,
    fresh: values.fresh === true,
    steps:
      values.step === undefined && values.ramp === undefined
        ? DEFAULT_STEPS
        : [...(values.step ?? []).map((text) => parseStep(text)), ...(values.ramp ?? []).map((text) => parseStep(text, 'ramp'))],
    settings: values.settings === undefined ? {} : readReplaySettings(values.settings),
  };
  process.stdout.write(formatStepStudy(options, stepStudy(readReplayFile(positionals[0], 'skab'), options)));
}

if (require.main === module) main();
