import { decimalNumber } from '../decimalNumber';
import { UsageError } from './UsageError';

/** A numeric flag within [min, max] (whole when `integer`), or a UsageError naming flag and value. */
export function numberFlag(flag: string, text: string | undefined, fallback: number, min: number, max: number, integer = false): number {
  if (text === undefined) return fallback;
  const value = decimalNumber(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${text}"`);
  }
  return value;
}
