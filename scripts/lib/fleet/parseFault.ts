import { FAULT_DEFAULT_SIZE, FAULT_KINDS, type FaultKind } from './constants';
import type { FaultSpec } from './types';

const SIGNAL_FAULTS: readonly FaultKind[] = ['step', 'drift', 'spike', 'stuck', 'bad'];

/**
 * `<asset>:<kind>[:<metric>][:<size>][@<seconds>]`, e.g. `pump-00003:step:temperature:8@20`,
 * `motor-00004:garbage@10`, `pump-00005:skew:600000`. Signal faults default to the temperature metric;
 * sizes default per kind (FAULT_DEFAULT_SIZE); the start defaults to `defaultAt` seconds.
 */
export function parseFault(text: string, defaultAt: number): FaultSpec {
  const [body = '', at] = text.split('@');
  const parts = body.split(':');
  const [assetId = '', kind = '', ...rest] = parts;
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`simulate: --fault ${text}: kind "${kind}" is not one of ${FAULT_KINDS.join(', ')}`);
  }
  const faultKind = kind as FaultKind;
  let metric: string | undefined;
  let size = FAULT_DEFAULT_SIZE[faultKind];
  for (const part of rest) {
    if (part !== '' && Number.isFinite(Number(part))) size = Number(part);
    else if (/^[A-Za-z0-9_.-]{1,64}$/.test(part)) metric = part;
    else throw new Error(`simulate: --fault ${text}: "${part}" is neither a metric nor a number`);
  }
  if (SIGNAL_FAULTS.includes(faultKind)) metric ??= 'temperature';
  const atSeconds = at === undefined ? defaultAt : Number(at);
  if (!Number.isFinite(atSeconds) || atSeconds < 0) throw new Error(`simulate: --fault ${text}: start "@${at ?? ''}" must be seconds >= 0`);
  if (assetId === '') throw new Error(`simulate: --fault ${text}: the asset id is missing`);
  return { assetId, kind: faultKind, metric, size, atSeconds };
}
