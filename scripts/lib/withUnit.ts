import type { BenchTarget } from './benchTargets';

export function withUnit(text: string, target: BenchTarget): string {
  return target.unit === undefined ? text : `${text} ${target.unit}`;
}
