/**
 * Replays history through the production detector (functions/shared/detector), so operators can
 * tune its settings before they deploy them.
 *
 *   npm run --silent replay -- --format skab|csv [--warmup N] [--settings FILE.json|FILE.yaml]
 *                              [--details] [--plot OUT.svg] FILE...
 *
 * Prints CSV `file,index,anomaly` (one line per sample, file = the path as given, index from 0 per
 * file; warm-up rows are 0 unless a configured limit is breached). A sample is a data row of a SKAB
 * file, or one asset's readings at one timestamp of a `csv` file, in time order (`--details` names both). `--details` appends `ts,asset,score,threshold,episode,
 * contributors`. Each file is replayed by fresh detectors (one per asset in it). Relative paths are
 * from the folder `npm run` was started in (resolveUserPath).
 */
import { statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { DetectorError, resolveDetectorSettings, type DetectorSettings } from '../functions/shared/detector';
import { plotReplaySvg } from './lib/plotReplaySvg';
import { ReplayError, ReplayInputError, ReplayUsageError } from './lib/replayErrors';
import { parseArgsProblem } from './lib/parseArgsProblem';
import { parseReplayFormat, type ReplayFormat } from './lib/parseReplayFormat';
import { readReplayFile, type ReplayFile } from './lib/readReplayFile';
import { replayFile } from './lib/replayRun';
import { readReplaySettings } from './lib/replaySettings';
import { exitQuietlyOnClosedPipe } from './lib/exitQuietlyOnClosedPipe';
import { helpRequested } from './lib/helpRequested';
import { refuseRepeatedFlags } from './lib/refuseRepeatedFlags';
import { resolveUserPath } from './lib/resolveUserPath';

export const REPLAY_USAGE =
  'usage: replay --format skab|csv [--warmup N] [--settings FILE.json|FILE.yaml] [--details] [--plot OUT.svg] FILE...';

interface ReplayOptions {
  readonly format: ReplayFormat;
  readonly settings: DetectorSettings;
  readonly details: boolean;
  readonly plotPath?: string;
  readonly files: readonly string[];
}

/** The flags `replay` takes; the usage names each of them (a test holds them together). */
export const REPLAY_FLAGS = {
  format: { type: 'string' },
  warmup: { type: 'string' },
  settings: { type: 'string' },
  plot: { type: 'string' },
  details: { type: 'boolean' },
} as const;

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

/** The options of a replay command line, 'help' for `--help`/`-h`, or a ReplayUsageError. */
export function parseReplayArgs(args: readonly string[]): ReplayOptions | 'help' {
  if (helpRequested(args)) return 'help';
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof REPLAY_FLAGS; allowPositionals: true; strict: true; tokens: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options: REPLAY_FLAGS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new ReplayUsageError(`${parseArgsProblem(error)}\n${REPLAY_USAGE}`);
  }
  refuseRepeatedFlags(parsed.tokens, REPLAY_FLAGS, (message) => new ReplayUsageError(message));
  const { values, positionals: files } = parsed;
  if (values.format === undefined) throw new ReplayUsageError(`missing --format (skab or csv)\n${REPLAY_USAGE}`);
  const format = parseReplayFormat(values.format);
  let warmup: number | undefined;
  if (values.warmup !== undefined) {
    if (!/^\d+$/.test(values.warmup)) throw new ReplayUsageError(`--warmup must be a whole number of samples, got "${values.warmup}"`);
    warmup = Number(values.warmup);
  }
  if (files.length === 0) throw new ReplayUsageError(`no input files\n${REPLAY_USAGE}`);
  const plotPath = values.plot;
  if (plotPath !== undefined) {
    if (files.length !== 1) throw new ReplayUsageError('--plot draws exactly one input file');
    // A plot path that names an input (say `--plot data.csv` by mistake) would overwrite the data.
    if (!/\.svg$/i.test(plotPath)) throw new ReplayUsageError(`--plot must name an .svg file, got "${plotPath}"`);
    if (files.some((file) => resolveUserPath(file) === resolveUserPath(plotPath))) throw new ReplayUsageError(`--plot must not name an input file, got "${plotPath}"`);
    // Checked before the replay: the CSV goes to stdout only at the end, so a late failure would lose it.
    if (!isDirectory(dirname(resolveUserPath(plotPath)))) throw new ReplayUsageError(`--plot: no folder ${dirname(plotPath)} to write "${plotPath}" into`);
    if (isDirectory(resolveUserPath(plotPath))) throw new ReplayUsageError(`--plot must name a file, got the folder "${plotPath}"`);
  }
  const settings = values.settings === undefined ? {} : readReplaySettings(resolveUserPath(values.settings), values.settings);
  return {
    format,
    settings: warmup === undefined ? settings : { ...settings, warmupSamples: warmup },
    details: values.details === true,
    files,
    ...(plotPath === undefined ? {} : { plotPath }),
  };
}

/** Refuses a file whose every asset ends within the warm-up: nothing in it would ever be judged. */
function requireJudgedSamples(input: ReplayFile, warmupSamples: number): void {
  const perAsset = new Map<string, number>();
  for (const { asset } of input.samples) perAsset.set(asset, (perAsset.get(asset) ?? 0) + 1);
  const longest = Math.max(0, ...perAsset.values());
  if (longest <= warmupSamples) {
    const what = perAsset.size > 1 ? `its longest asset has ${longest} samples` : `it has ${longest} samples`;
    throw new ReplayInputError(`${input.name}: ${what}, not more than the warm-up of ${warmupSamples}: nothing would be judged`);
  }
}

function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : '';
}

export function runReplay(args: readonly string[], write: (chunk: string) => void): void {
  const options = parseReplayArgs(args);
  if (options === 'help') {
    write(`${REPLAY_USAGE}\n`);
    return;
  }
  // Validate the settings and read every file first, so bad input fails before any output.
  const { warmupSamples } = resolveDetectorSettings(options.settings);
  // Read from the user's folder; named (in the `file` column and in messages) as given.
  const inputs = options.files.map((path) => readReplayFile(resolveUserPath(path), options.format, path));
  for (const input of inputs) requireJudgedSamples(input, warmupSamples);
  write(options.details ? 'file,index,anomaly,ts,asset,score,threshold,episode,contributors\n' : 'file,index,anomaly\n');
  for (const input of inputs) {
    const lines: string[] = [];
    const result = replayFile(input, options.settings, (index, verdict) => {
      if (!options.details) return;
      const { asset, sample } = input.samples[index];
      lines.push(
        `${input.name},${index},${verdict.anomalous ? 1 : 0},${sample.ts},${asset},${formatNumber(verdict.score)},` +
          `${formatNumber(verdict.threshold)},${verdict.episode.event},${verdict.contributors.join(' ')}`,
      );
    });
    if (!options.details) {
      for (let index = 0; index < result.anomalous.length; index++) lines.push(`${input.name},${index},${result.anomalous[index]}`);
    }
    write(lines.join('\n') + (lines.length > 0 ? '\n' : ''));
    if (options.plotPath !== undefined) writeFileSync(resolveUserPath(options.plotPath), plotReplaySvg(result));
  }
}

function main(): void {
  exitQuietlyOnClosedPipe();
  try {
    const chunks: string[] = [];
    runReplay(process.argv.slice(2), (chunk) => chunks.push(chunk));
    process.stdout.write(chunks.join(''));
  } catch (error) {
    if (error instanceof ReplayError || error instanceof DetectorError) {
      process.stderr.write(`replay: ${error.message}\n`);
      process.exitCode = error instanceof ReplayError ? error.exitCode : 2;
      return;
    }
    throw error;
  }
}

if (require.main === module) main();
