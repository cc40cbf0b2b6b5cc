// Parsers for numeric CLI options: each names the option and what it expects.
import { UserError } from '../errors.js';

export function parseIntOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
      throw new UserError(`${name} ${value}: expected ${range}`);
    }
    return n;
  };
}
