import type { FalseAlarmKinds } from './classifyFalseAlarms';

export function sumFalseAlarmKinds(kinds: readonly FalseAlarmKinds[]): FalseAlarmKinds {
  return kinds.reduce((total, k) => ({ trailing: total.trailing + k.trailing, leading: total.leading + k.leading, apart: total.apart + k.apart }), { trailing: 0, leading: 0, apart: 0 });
}
