import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchSkab } from '../../scripts/benchSkab';
import { ReplayInputError } from '../../scripts/lib/replayErrors';
import { countSkabFile, skabRates, sumSkabCounts } from '../../scripts/lib/skabScore';
import { generateRows, injectFault, START_TS, type MetricSpec } from './syntheticSeries';

describe('SKAB scoring', () => {
  it('counts only the rows after the warm-up', () => {
    const flags = [1, 1, 0, 1, 1, 0, 0, 1];
    const labels = [1, 0, 0, 1, 0, 1, 0, 0];
    expect(countSkabFile(flags, labels, 2)).toEqual({ truePositives: 1, falsePositives: 2, falseNegatives: 1, trueNegatives: 2 });
  });

  it('pools counts over files before computing F1, FAR and MAR', () => {
    const total = sumSkabCounts([
      { truePositives: 8, falsePositives: 2, falseNegatives: 0, trueNegatives: 10 },
      { truePositives: 0, falsePositives: 0, falseNegatives: 4, trueNegatives: 6 },
    ]);
    expect(total).toEqual({ truePositives: 8, falsePositives: 2, falseNegatives: 4, trueNegatives: 16 });
    expect(skabRates(total)).toEqual({ f1: 16 / 22, falseAlarmRate: 2 / 18, missedAlarmRate: 4 / 12 });
  });
});

describe('bench:skab', () => {
  const metrics: readonly MetricSpec[] = [
    { name: 'vibration', level: 2.5, noise: 0.05, autoregression: 0 },
    { name: 'flow', level: 40, noise: 0.5, autoregression: 0.1 },
  ];
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'skab-test-'));
    mkdirSync(join(dir, 'valve'));
    const time = (t: number): string => new Date(START_TS + t * 1000).toISOString().slice(0, 19).replace('T', ' ');
    for (const seed of [1, 2]) {
      const rows = injectFault(generateRows(900, seed, metrics), 'flow', 600, (k) => (k < 200 ? -8 : 0), metrics);
      const lines = rows.map((row, t) => [time(t), ...row, t >= 600 && t < 800 ? 1 : 0, t === 600 || t === 800 ? 1 : 0].join(';'));
      writeFileSync(join(dir, 'valve', `${seed}.csv`), ['datetime;vibration;flow;anomaly;changepoint', ...lines].join('\n'));
    }
    const free = generateRows(500, 3, metrics).map((row, t) => [time(t), ...row].join(';'));
    writeFileSync(join(dir, 'anomaly-free.csv'), ['datetime;vibration;flow', ...free].join('\n'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scores the labelled files recursively and skips the ones without an anomaly column', () => {
    const result = benchSkab(dir);
    expect(result.skipped).toEqual(['anomaly-free.csv']);
    expect(result.files.map((file) => file.name)).toEqual([join('valve', '1.csv'), join('valve', '2.csv')]);
    // 500 scored rows per file: 200 labelled anomalous.
    for (const { counts } of result.files) {
      expect(counts.truePositives + counts.falsePositives + counts.falseNegatives + counts.trueNegatives).toBe(500);
      expect(counts.truePositives).toBeGreaterThan(180);
    }
    expect(skabRates(result.total).f1).toBeGreaterThan(0.85);
    // Two changepoints per file (both edges of the label span), scored by NAB.
    expect(result.nab.hits.length + result.nab.missed).toBe(4);
  });

  it('refuses a folder without labelled files instead of reporting an F1 of 0 that ranks itself', () => {
    const empty = mkdtempSync(join(tmpdir(), 'skab-empty-'));
    try {
      writeFileSync(join(empty, 'free.csv'), 'datetime;flow\n2026-01-05 08:00:00;1\n');
      expect(() => benchSkab(empty)).toThrow(new ReplayInputError(`no labelled SKAB file (*.csv with an anomaly column) under ${empty}`));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
