/** Decimal notation only: `Number()` would also take `0x10`, `0b1`, `0o7` and `Infinity`. */
const DECIMAL = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** The number a command-line value writes in decimal notation; NaN for anything else. */
export function decimalNumber(text: string): number {
  return DECIMAL.test(text) ? Number(text) : Number.NaN;
}
