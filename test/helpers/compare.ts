// How far a computed array is from a reference, for kernel and gradient comparisons.
import assert from 'node:assert/strict';

/** max |a − ref| / max |ref|; exact agreement is required when ref is all zeros. */
export function relativeError(actual: ArrayLike<number>, ref: ArrayLike<number>): number {
  assert.equal(actual.length, ref.length, 'length mismatch');
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  if (Number.isNaN(diff)) return Number.NaN;
  return scale === 0 ? (diff === 0 ? 0 : Number.POSITIVE_INFINITY) : diff / scale;
}
