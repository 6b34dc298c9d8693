/** Up to `count` values spread over the sorted distribution (keeps min, max and the shape). */
export function quantileSample(values: number[], count: number): number[] {
  if (values.length <= count) return values;
  const sorted = [...values].sort((a, b) => a - b);
  return Array.from({ length: count }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (count - 1))] as number);
}
