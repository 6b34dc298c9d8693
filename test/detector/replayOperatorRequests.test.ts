import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplayFile } from '../../scripts/lib/readReplayFile';
import { replayFile } from '../../scripts/lib/replayRun';
import { readReplaySettings } from '../../scripts/lib/replaySettings';
import { generateRows, injectFault, START_TS, toSamples } from './syntheticSeries';

/** Two assets with the same fault: pressure 5 up for 300 samples, then vibration stays 4 up (beyond the re-baseline bound). */
function twoAssets(): ReplayFile {
  const rows = injectFault(injectFault(generateRows(1800, 42), 'pressure', 600, (k) => (k < 300 ? 5 : 0)), 'vibration', 900, () => 4);
  const samples = toSamples(rows).flatMap((sample) => ['pump-01', 'pump-02'].map((asset) => ({ asset, sample })));
  return { name: 'export.csv', metrics: [], samples, labelled: false, changepointLabelled: false };
}

describe("replay with operators' requests", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'replay-requests-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("ends the episode of the acknowledged asset at the settings' time, as the processor would, and leaves the other asset's open", () => {
    const path = join(dir, 'dev.yaml');
    writeFileSync(path, 'detection:\n  warmupSamples: 400\n  acknowledge:\n    pump-01: "2026-01-05T08:20:00Z"\n');
    const settings = readReplaySettings(path);
    expect(settings).toEqual({ warmupSamples: 400, acknowledge: { 'pump-01': '2026-01-05T08:20:00Z' } });
    const closes: { asset: string; ts: number; acknowledged: boolean }[] = [];
    const file = twoAssets();
    const result = replayFile(file, settings, (index, verdict) => {
      if (verdict.episode.event === 'close') closes.push({ asset: file.samples[index].asset, ts: file.samples[index].sample.ts, acknowledged: verdict.episode.acknowledged === true });
    });
    expect(closes).toEqual([{ asset: 'pump-01', ts: START_TS + 1200 * 1000, acknowledged: true }]);
    const last = (asset: string): number => result.anomalous[file.samples.findLastIndex((entry) => entry.asset === asset)];
    expect([last('pump-01'), last('pump-02')]).toEqual([0, 1]);
  });

  it("relearns the asset named in the settings' relearn at its time, as the processor would, and leaves the other asset's model", () => {
    const path = join(dir, 'relearn.yaml');
    writeFileSync(path, 'relearn:\n  pump-02: "2026-01-05T08:20:00Z"\n');
    const settings = readReplaySettings(path);
    expect(settings).toEqual({ relearn: { 'pump-02': '2026-01-05T08:20:00Z' } });
    const relearned: { asset: string; ts: number; closed: boolean }[] = [];
    const file = twoAssets();
    const result = replayFile(file, settings, (index, verdict) => {
      if (verdict.relearned === true) relearned.push({ asset: file.samples[index].asset, ts: file.samples[index].sample.ts, closed: verdict.episode.relearned === true });
    });
    expect(relearned).toEqual([{ asset: 'pump-02', ts: START_TS + 1200 * 1000, closed: true }]);
    const index = (asset: string, sample: number): number => 2 * sample + (asset === 'pump-01' ? 0 : 1);
    // pump-02 warms up again for 400 samples, then takes vibration 4 up as normal; pump-01's episode stays open.
    expect(result.warmingUp[index('pump-02', 1599)]).toBe(1);
    expect(result.warmingUp[index('pump-02', 1600)]).toBe(0);
    expect([result.anomalous[index('pump-01', 1799)], result.anomalous[index('pump-02', 1799)]]).toEqual([1, 0]);
  });
});
