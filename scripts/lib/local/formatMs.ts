/** Whole milliseconds, or `-` without a sample. */
export const formatMs = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)} ms` : '-');
