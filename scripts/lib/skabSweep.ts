/**
 * Compares detector variants on both SKAB measures in one run: pooled F1 / FAR / MAR of the
 * labelled files (and F1 of the even and odd files separately), the NAB scores (standard /
 * LowFP / LowFN) on label edges and on the changepoint column, the flagged share of the
 * anomaly-free recording cut into chunks (SKAB_DRIFT_CHUNK_ROWS) and replayed whole (with its
 * episodes), and the pooled onset delay (median / p90 seconds, missed onsets).
 *
 *   npx tsx scripts/lib/skabSweep.ts SKAB_DIR 'name={"settings":{...},"internals":{...}}'...
 *
 * `settings` are ordinary detector settings; `internals` temporarily override entries of
 * DETECTOR_INTERNALS (fixed internals, for experiments only; restored after each variant).
 * Without variants it measures the defaults. It takes no flags.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DetectorSettings } from '../../functions/shared/detector';
import { DETECTOR_INTERNALS } from '../../functions/shared/detector/constants';
import { benchSkab } from '../benchSkab';
import { helpRequested } from './helpRequested';
import { readReplayFile } from './readReplayFile';
import { NAB_PROFILES, nabScore } from './nabScore';
import { driftCheck } from './driftCheck';
import { SKAB_DRIFT_CHUNK_ROWS } from './parseDriftCheckArgs';
import { nearestRankQuantile } from './nearestRankQuantile';
import { skabOnsets } from './skabOnsets';
import { sumOnsetOutcomes } from './sumOnsetOutcomes';
import { skabRates } from './skabRates';
import { sumSkabCounts } from './sumSkabCounts';
import { runStudyCli } from './runStudyCli';

export const SWEEP_USAGE = `usage: npx tsx scripts/lib/skabSweep.ts SKAB_DIR ['name={"settings":{...},"internals":{...}}']...`;

export interface SweepOptions {
  /** SKAB's data folder (the labelled files and anomaly-free/anomaly-free.csv). */
  readonly dir: string;
  /** The variants as given, `name` or `name=JSON`; `defaults` alone when none is given. */
  readonly variants: readonly string[];
}

/**
 * Parses the command line: 'help' for `--help`/`-h`, else the folder and the variants, or an Error
 * of one line with the usage. The sweep takes no flags, so any is refused rather than taken for a
 * variant.
 */
export function parseSweepArgs(args: readonly string[]): SweepOptions | 'help' {
  if (helpRequested(args)) return 'help';
  const { tokens } = parseArgs({ args: [...args], options: {}, strict: false, allowPositionals: true, tokens: true });
  const flag = tokens.find((token) => token.kind === 'option');
  if (flag?.kind === 'option') {
    const value = flag.value === undefined ? '' : ` (value ${JSON.stringify(flag.value)})`;
    throw new Error(`${flag.rawName}: unknown flag${value}, the sweep takes none; ${SWEEP_USAGE}`);
  }
  const [dir, ...variants] = tokens.flatMap((token) => (token.kind === 'positional' ? [token.value] : []));
  if (dir === undefined) throw new Error(`SKAB_DIR missing; ${SWEEP_USAGE}`);
  return { dir, variants: variants.length > 0 ? variants : ['defaults'] };
}

interface Variant {
  readonly name: string;
  readonly settings: DetectorSettings;
  readonly internals: Record<string, unknown>;
}

function parseVariant(arg: string): Variant {
  const split = arg.indexOf('=');
  const name = split < 0 ? arg : arg.slice(0, split);
  const spec = split < 0 ? {} : (JSON.parse(arg.slice(split + 1)) as { settings?: DetectorSettings; internals?: Record<string, unknown> });
  return { name, settings: spec.settings ?? {}, internals: spec.internals ?? {} };
}

function withInternals<T>(overrides: Record<string, unknown>, run: () => T): T {
  const targets = [DETECTOR_INTERNALS] as unknown as Record<string, unknown>[];
  const saved: [Record<string, unknown>, string, unknown][] = [];
  for (const key of Object.keys(overrides)) {
    const target = targets.find((candidate) => key in candidate);
    if (target === undefined) throw new Error(`unknown internal ${key}`);
    saved.push([target, key, target[key]]);
    target[key] = overrides[key];
  }
  try {
    return run();
  } finally {
    for (const [target, key, value] of saved) target[key] = value;
  }
}

function main(): void {
  let options: SweepOptions | 'help';
  try {
    options = parseSweepArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`skabSweep: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(`${SWEEP_USAGE}\n`);
    return;
  }
  const { dir } = options;
  const variants = options.variants.map(parseVariant);
  const clean = readReplayFile(join(dir, 'anomaly-free', 'anomaly-free.csv'), 'skab');
  const pct = (value: number): string => (value * 100).toFixed(1);
  process.stdout.write(
    `variant | F1 | FAR | MAR | even / odd F1 | NAB standard / LowFP / LowFN | changepoint-column NAB | clean FA ${SKAB_DRIFT_CHUNK_ROWS.join(' / ')} | whole clean FA, episodes | onset median / p90 s, missed\n`,
  );
  for (const variant of variants) {
    const line = withInternals(variant.internals, () => {
      const bench = benchSkab(dir, variant.settings);
      const rates = skabRates(bench.total);
      const half = (parity: number): number =>
        skabRates(sumSkabCounts(bench.files.filter((file) => Number(/(\d+)\.csv$/.exec(file.name)?.[1]) % 2 === parity).map((file) => file.counts))).f1;
      const shares = SKAB_DRIFT_CHUNK_ROWS.map((rows) => pct(driftCheck(clean, rows, variant.settings).share));
      const nab = NAB_PROFILES.map((profile) => nabScore(bench.nab, profile).toFixed(2)).join(' / ');
      const leaderboardNab = bench.leaderboardNab;
      const columnNab = leaderboardNab === undefined ? '-' : NAB_PROFILES.map((profile) => nabScore(leaderboardNab.outcome, profile).toFixed(2)).join(' / ');
      const whole = bench.checks.map((check) => `${pct(check.flaggedRows / check.judgedRows)}%, ${check.episodes}`).join('; ');
      const onset = sumOnsetOutcomes(skabOnsets(dir, variant.settings).map((file) => file.onset));
      const delays = `${nearestRankQuantile(onset.delays, 0.5)} / ${nearestRankQuantile(onset.delays, 0.9)}, ${onset.missed}`;
      return `${variant.name} | ${rates.f1.toFixed(3)} | ${pct(rates.falseAlarmRate)} | ${pct(rates.missedAlarmRate)} | ${half(0).toFixed(3)} / ${half(1).toFixed(3)} | ${nab} | ${columnNab} | ${shares.join(' / ')} | ${whole} | ${delays}`;
    });
    process.stdout.write(`${line}\n`);
  }
}

if (require.main === module) runStudyCli('skabSweep', main);
