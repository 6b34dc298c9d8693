export const ceilDiv = (bytes: number, unit: number): number => Math.max(1, Math.ceil(bytes / unit));
