import { WINDOW_CHARS, WINDOW_LEAD_CHARS } from './manifestDiffValues';

/** Two long values cut around where they first differ (0-based `offset`), `…` marking what is left out. */
export interface DifferenceWindows {
  readonly offset: number;
  readonly before: string;
  readonly after: string;
}

/**
 * Where two texts first differ, and each cut to the same window around that point: two long values
 * that share their first MAX_VALUE_CHARS characters (an IoT rule's SQL with a clause appended) would
 * otherwise print identically.
 */
export function differenceWindows(before: string, after: string): DifferenceWindows {
  let offset = 0;
  while (offset < before.length && offset < after.length && before[offset] === after[offset]) offset += 1;
  const start = Math.max(0, offset - WINDOW_LEAD_CHARS);
  const window = (text: string): string => {
    const head = start > 0 ? '…' : '';
    const room = WINDOW_CHARS - head.length;
    const rest = text.slice(start);
    return rest.length <= room ? `${head}${rest}` : `${head}${rest.slice(0, room - 1)}…`;
  };
  return { offset, before: window(before), after: window(after) };
}
