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
import { formatStepStudy } from './formatStepStudy';
import { parseStep } from './parseStep';
import { ReplayUsageError } from './replayErrors';
import { runStudyCli } from './runStudyCli';
import { readReplayFile } from './readReplayFile';
import { readReplaySettings } from './replaySettings';
import { refuseRepeatedFlags } from './refuseRepeatedFlags';
import { SKAB_WARMUP_ROWS } from './skabScore';
import { stepStudy, type StepSpec, type StepStudyOptions } from './stepStudy';

/** The steps of docs/detection.md: SKAB's fault families at the sizes their labelled files show. */
export const DEFAULT_STEPS: readonly StepSpec[] = [
  { metrics: ['Volume Flow RateRMS'], sigmas: -5 },
  { metrics: ['Volume Flow RateRMS'], sigmas: -3 },
  { metrics: ['Temperature'], sigmas: -3 },
  { metrics: ['Thermocouple'], sigmas: 4 },
  { metrics: ['Accelerometer1RMS', 'Accelerometer2RMS'], sigmas: 20 },
  { metrics: ['Pressure'], sigmas: -4 },
];

const USAGE = 'tsx scripts/lib/skabStepStudy.ts FILE [--warmup N] [--fresh] [--step METRIC[+METRIC]=SIGMAS]... [--ramp METRIC[+METRIC]=SIGMAS]... [--settings FILE]';

function main(): void {
  const flags = {
    warmup: { type: 'string' },
    fresh: { type: 'boolean' },
    step: { type: 'string', multiple: true },
    ramp: { type: 'string', multiple: true },
    settings: { type: 'string' },
  } as const;
  const { values, positionals, tokens } = parseArgs({ options: flags, allowPositionals: true, strict: true, tokens: true });
  refuseRepeatedFlags(tokens, flags, (message) => new ReplayUsageError(message));
  if (positionals.length !== 1) throw new ReplayUsageError(`one FILE, got ${positionals.length}; usage: ${USAGE}`);
  const warmupSamples = Number(values.warmup ?? SKAB_WARMUP_ROWS);
  if (!Number.isInteger(warmupSamples) || warmupSamples < 10) throw new ReplayUsageError(`--warmup must be an integer of at least 10, got ${JSON.stringify(values.warmup)}`);
  const options: StepStudyOptions = {
    warmupSamples,
    fresh: values.fresh === true,
    steps:
      values.step === undefined && values.ramp === undefined
        ? DEFAULT_STEPS
        : [...(values.step ?? []).map((text) => parseStep(text)), ...(values.ramp ?? []).map((text) => parseStep(text, 'ramp'))],
    settings: values.settings === undefined ? {} : readReplaySettings(values.settings),
  };
  const file = readReplayFile(positionals[0], 'skab');
  // A misspelt metric would add nothing and read as "found at 0 of N", a finding it is not.
  const unknown = options.steps.flatMap((step) => step.metrics).find((metric) => !file.metrics.includes(metric));
  if (unknown !== undefined) throw new ReplayUsageError(`${JSON.stringify(unknown)} is not a metric of ${file.name}; its metrics are ${file.metrics.join(', ')}`);
  process.stdout.write(formatStepStudy(options, stepStudy(file, options)));
}

if (require.main === module) runStudyCli('skabStepStudy', main);
