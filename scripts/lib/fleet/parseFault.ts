import { decimalNumber } from '../decimalNumber';
import { ASSET_TYPES, FAULT_DEFAULT_SIZE, FAULT_KINDS, METRIC_FAULTS, SIZED_FAULTS, type FaultKind } from './constants';
import type { FaultSpec } from './types';
import { UsageError } from './UsageError';


/** Every metric some asset type reports; whether the fault's asset has it is checked by buildFleetPlan. */
export const KNOWN_METRICS: readonly string[] = [...new Set(Object.values(ASSET_TYPES).flatMap((models) => models.map((m) => m.metric)))];

/** Meant as a number (a size), even when not a usable one: `8`, `-2.5`, `1e400`, `Infinity`, `NaN`. */
const NUMBER_LIKE = /^[+-]?(\d|\.\d|infinity$|nan$)/i;

/**
 * `<asset>:<kind>[:<metric>][:<size>][@<seconds>]`, e.g. `pump-00003:step:temperature:8@20`,
 * `motor-00004:garbage@10`, `pump-00005:skew:600000`. Strict, because a part the simulator ignored would
 * start a run that injects nothing: a metric only for the faults that act on one (default temperature), a
 * size (a finite decimal number) only for those that have one (default FAULT_DEFAULT_SIZE), each at most
 * once and the metric first, one start (default `defaultAt` seconds). A UsageError names the value.
 */
export function parseFault(text: string, defaultAt: number): FaultSpec {
  const refuse = (why: string): never => {
    throw new UsageError(`--fault ${text}: ${why}`);
  };
  const [body = '', at, ...moreStarts] = text.split('@');
  if (moreStarts.length > 0) refuse(`one start (@SECONDS) at most, got ${moreStarts.length + 1}`);
  const [assetId = '', kind = '', ...parts] = body.split(':');
  if (assetId === '') refuse('the asset id is missing (ASSET:KIND[:METRIC][:SIZE][@SECONDS])');
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) refuse(`kind "${kind}" is not one of ${FAULT_KINDS.join(', ')}`);
  const faultKind = kind as FaultKind;
  const takesMetric = METRIC_FAULTS.includes(faultKind);
  const takesSize = SIZED_FAULTS.includes(faultKind);
  let metric: string | undefined;
  let size: number | undefined;
  for (const part of parts) {
    if (part === '') refuse('a part between colons is empty');
    if (!NUMBER_LIKE.test(part)) {
      if (!takesMetric) refuse(`${faultKind} takes no metric, got "${part}"`);
      if (metric !== undefined) refuse(`one metric at most, got "${metric}" and "${part}"`);
      if (size !== undefined) refuse(`the metric goes before the size, got "${part}" after "${size}"`);
      if (!KNOWN_METRICS.includes(part)) refuse(`metric "${part}" is not one of ${KNOWN_METRICS.join(', ')}`);
      metric = part;
    } else {
      if (!takesSize) refuse(`${faultKind} takes no size, got "${part}"`);
      if (size !== undefined) refuse(`one size at most, got "${size}" and "${part}"`);
      const value = decimalNumber(part);
      if (!Number.isFinite(value)) refuse(`size "${part}" must be a finite decimal number`);
      // Readings carry whole epoch milliseconds: a fractional offset would make them INVALID_TIMESTAMP, not the skew asked for.
      if (faultKind === 'skew' && !Number.isInteger(value)) refuse(`size "${part}" must be whole milliseconds`);
      size = value;
    }
  }
  let atSeconds = defaultAt;
  if (at !== undefined) {
    atSeconds = decimalNumber(at);
    if (!Number.isFinite(atSeconds) || atSeconds < 0) refuse(`start "@${at}" must be seconds >= 0`);
  }
  return { assetId, kind: faultKind, metric: takesMetric ? (metric ?? 'temperature') : undefined, size: size ?? FAULT_DEFAULT_SIZE[faultKind], atSeconds };
}
