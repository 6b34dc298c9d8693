/**
 * Compares detector variants on both SKAB measures in one run: pooled F1 / FAR / MAR of the
 * labelled files (and F1 of the even and odd files separately), the NAB scores (standard /
 * LowFP / LowFN) on label edges and on the changepoint column, the flagged share of the
 * anomaly-free recording cut into chunks of 800 / 1150 / 1500 rows and replayed whole (with its
 * episodes), and the pooled onset delay (median / p90 seconds, missed onsets).
 *
 *   npx tsx scripts/lib/skabSweep.ts SKAB_DIR 'name={"settings":{...},"internals":{...}}'...
 *
 * `settings` are ordinary detector settings; `internals` temporarily override entries of
 * DETECTOR_INTERNALS (fixed internals, for experiments only; restored after each variant).
 * Without variants it measures the defaults.
 */
import { join } from 'node:path';
import type { DetectorSettings } from '../../functions/shared/detector';
import { DETECTOR_INTERNALS } from '../../functions/shared/detector/constants';
import { benchSkab } from '../benchSkab';
import { readReplayFile } from './replayInput';
import { NAB_PROFILES, nabScore } from './nabScore';
import { driftCheck } from './skabDriftCheck';
import { nearestRankQuantile, skabOnsets, sumOnsetOutcomes } from './skabOnset';
import { skabRates, sumSkabCounts } from './skabScore';

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
  const [dir, ...specs] = process.argv.slice(2);
  if (dir === undefined) {
    process.stderr.write('usage: tsx scripts/lib/skabSweep.ts SKAB_DIR [name=JSON]...\n');
    process.exitCode = 2;
    return;
  }
  const variants = specs.length > 0 ? specs.map(parseVariant) : [parseVariant('defaults')];
  const clean = readReplayFile(join(dir, 'anomaly-free', 'anomaly-free.csv'), 'skab');
  const pct = (value: number): string => (value * 100).toFixed(1);
  process.stdout.write('variant | F1 | FAR | MAR | even / odd F1 | NAB standard / LowFP / LowFN | changepoint-column NAB | clean FA 800 / 1150 / 1500 | whole clean FA, episodes | onset median / p90 s, missed\n');
  for (const variant of variants) {
    const line = withInternals(variant.internals, () => {
      const bench = benchSkab(dir, variant.settings);
      const rates = skabRates(bench.total);
      const half = (parity: number): number =>
        skabRates(sumSkabCounts(bench.files.filter((file) => Number(/(\d+)\.csv$/.exec(file.name)?.[1]) % 2 === parity).map((file) => file.counts))).f1;
      const shares = [800, 1150, 1500].map((rows) => pct(driftCheck(clean, rows, variant.settings).share));
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

if (require.main === module) main();
