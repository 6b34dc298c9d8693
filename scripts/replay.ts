/**
 * Replays history through the production detector (functions/shared/detector), so operators can
 * tune its settings before they deploy them.
 *
 *   npm run --silent replay -- --format skab|csv [--warmup N] [--settings FILE.json]
 *                              [--details] [--plot OUT.svg] FILE...
 *
 * Prints CSV `file,index,anomaly` (one line per sample, index from 0 per file; warm-up rows are 0
 * unless a configured limit is breached). `--details` appends `ts,asset,score,threshold,episode,
 * contributors`. Each file is replayed by fresh detectors (one per asset in it).
 */
import { writeFileSync } from 'node:fs';
import { DetectorError, resolveDetectorSettings, type DetectorSettings } from '../functions/shared/detector';
import { plotReplaySvg } from './lib/plotReplaySvg';
import { ReplayError, ReplayUsageError } from './lib/replayErrors';
import { parseReplayFormat, readReplayFile, type ReplayFormat } from './lib/replayInput';
import { replayFile } from './lib/replayRun';
import { readReplaySettings } from './lib/replaySettings';

const USAGE =
  'usage: replay --format skab|csv [--warmup N] [--settings FILE.json] [--details] [--plot OUT.svg] FILE...';

interface ReplayOptions {
  readonly format: ReplayFormat;
  readonly settings: DetectorSettings;
  readonly details: boolean;
  readonly plotPath?: string;
  readonly files: readonly string[];
}

export function parseReplayArgs(args: readonly string[]): ReplayOptions {
  let format: ReplayFormat | undefined;
  let settings: DetectorSettings = {};
  let warmup: number | undefined;
  let details = false;
  let plotPath: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const next = (): string => {
      const value = args[++i];
      if (value === undefined) throw new ReplayUsageError(`${arg} needs a value\n${USAGE}`);
      return value;
    };
    if (arg === '--format') format = parseReplayFormat(next());
    else if (arg === '--warmup') {
      const value = next();
      warmup = Number(value);
      if (!/^\d+$/.test(value)) throw new ReplayUsageError(`--warmup must be a whole number of samples, got "${value}"`);
    } else if (arg === '--settings') settings = readReplaySettings(next());
    else if (arg === '--plot') plotPath = next();
    else if (arg === '--details') details = true;
    else if (arg === '--help' || arg === '-h') throw new ReplayUsageError(USAGE);
    else if (arg.startsWith('--')) throw new ReplayUsageError(`unknown option ${arg}\n${USAGE}`);
    else files.push(arg);
  }
  if (format === undefined) throw new ReplayUsageError(`missing --format (skab or csv)\n${USAGE}`);
  if (files.length === 0) throw new ReplayUsageError(`no input files\n${USAGE}`);
  if (plotPath !== undefined && files.length !== 1) throw new ReplayUsageError('--plot draws exactly one input file');
  return {
    format,
    settings: warmup === undefined ? settings : { ...settings, warmupSamples: warmup },
    details,
    files,
    ...(plotPath === undefined ? {} : { plotPath }),
  };
}

function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : '';
}

export function runReplay(args: readonly string[], write: (chunk: string) => void): void {
  const options = parseReplayArgs(args);
  // Validate the settings and read every file first, so bad input fails before any output.
  resolveDetectorSettings(options.settings);
  const inputs = options.files.map((path) => readReplayFile(path, options.format));
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
    if (options.plotPath !== undefined) writeFileSync(options.plotPath, plotReplaySvg(result));
  }
}

function main(): void {
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
