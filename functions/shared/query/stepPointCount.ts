/** Steps of `stepMs` (aligned to UTC multiples of it) that the range [from, to) touches: the most points a series can have. */
export function stepPointCount(from: number, to: number, stepMs: number): number {
  if (to <= from) return 0;
  return Math.floor((to - 1) / stepMs) - Math.floor(from / stepMs) + 1;
}
