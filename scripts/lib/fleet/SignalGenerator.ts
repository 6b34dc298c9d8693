import { ASSET_TYPES, type AssetType, type MetricModel } from './constants';
import { mulberry32 } from './mulberry32';
import type { ContractReading, FaultSpec } from './types';

/** Persistence of the shared load factor and of each metric's own noise (AR(1) coefficients). */
const LOAD_AR = 0.7;
const NOISE_AR = 0.3;

/**
 * The correlated signals of one asset: a shared AR(1) load factor drives every metric by its loading, each
 * metric adds its own AR(1) noise, and the signal faults of the asset (step, drift, spike, stuck, BAD quality,
 * clock skew) are applied from their start time. Deterministic for a seed, so a run can be repeated.
 */
export class SignalGenerator {
  readonly metrics: readonly MetricModel[];
  readonly #random: () => number;
  readonly #faults: readonly FaultSpec[];
  readonly #samplesPerSecond: number;
  #load = 0;
  readonly #noise: number[];
  readonly #stuckValues = new Map<string, number>();
  readonly #spiked = new Set<FaultSpec>();

  /** `samplesPerSecond` converts a fault's start time into a sample index. */
  constructor(assetType: AssetType, seed: number, faults: readonly FaultSpec[], samplesPerSecond: number) {
    this.metrics = ASSET_TYPES[assetType];
    this.#random = mulberry32(seed);
    this.#faults = faults;
    this.#samplesPerSecond = samplesPerSecond;
    this.#noise = this.metrics.map(() => this.#gaussian());
    this.#load = this.#gaussian();
  }

  /** Standard normal deviate (Box-Muller). */
  #gaussian(): number {
    const u = Math.max(this.#random(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.#random());
  }

  /** Sample index from which a fault acts: faults follow the sample count, not the clock, so a run is reproducible. */
  #firstSample(fault: FaultSpec): number {
    return Math.ceil(fault.atSeconds * this.#samplesPerSecond);
  }

  /** Device clock offset at sample `index` (the skew fault). */
  clockOffset(index: number): number {
    let offset = 0;
    for (const fault of this.#faults) if (fault.kind === 'skew' && index >= this.#firstSample(fault)) offset += fault.size;
    return offset;
  }

  /** Sample number `index` (0, 1, 2, ... in order) of every metric at true time `ts`; readings carry the device clock. */
  sample(index: number, ts: number): ContractReading[] {
    this.#load = LOAD_AR * this.#load + Math.sqrt(1 - LOAD_AR * LOAD_AR) * this.#gaussian();
    const deviceTs = ts + this.clockOffset(index);
    return this.metrics.map((model, i) => {
      const noise = NOISE_AR * (this.#noise[i] ?? 0) + Math.sqrt(1 - NOISE_AR * NOISE_AR) * this.#gaussian();
      this.#noise[i] = noise;
      const standardised = model.load * this.#load + Math.sqrt(1 - model.load * model.load) * noise;
      let value = model.mean + model.sd * standardised;
      let quality: ContractReading['quality'] = 'GOOD';
      for (const fault of this.#faults) {
        if (fault.metric !== model.metric || index < this.#firstSample(fault)) continue;
        const sinceSeconds = (index - this.#firstSample(fault)) / this.#samplesPerSecond;
        if (fault.kind === 'step') value += fault.size * model.sd;
        else if (fault.kind === 'drift') value += fault.size * model.sd * sinceSeconds;
        else if (fault.kind === 'spike' && !this.#spiked.has(fault)) {
          this.#spiked.add(fault);
          value += fault.size * model.sd;
        } else if (fault.kind === 'stuck') {
          const frozen = this.#stuckValues.get(model.metric) ?? value;
          this.#stuckValues.set(model.metric, frozen);
          value = frozen;
        } else if (fault.kind === 'bad') quality = 'BAD';
      }
      const factor = 10 ** model.decimals;
      const reading: ContractReading = { metric: model.metric, value: Math.round(value * factor) / factor, unit: model.unit, ts: deviceTs };
      return quality === 'GOOD' ? reading : { ...reading, quality };
    });
  }
}
