// Kernel Inception Distance (Bińkowski et al. 2018), in the evaluation classifier's feature
// space: the unbiased estimate of the squared MMD between real and generated features with the
// cubic polynomial kernel k(x, y) = (x·y / d + 1)³, averaged over random subsets of equal size;
// the spread over subsets is its standard deviation. Unlike FID it has no bias at small n, so
// values from different sample sizes compare, and it is ~0 for two samples of one distribution.
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, permutation } from '../random.js';
import { meanStd } from '../stats.js';

export interface KidResult {
  mean: number;
  /** Standard deviation over the subsets; null when there was one subset (nothing to spread). */
  std: number | null;
  subsets: number;
  subsetSize: number;
  /**
   * Which side's rows differ between subsets. A side with no more rows than the subset size is
   * whole in every subset: with 'real' the spread is the real side's sampling alone, and with
   * 'none' every subset would be the same, so it is computed once (std null).
   */
  resampled: 'both' | 'real' | 'generated' | 'none';
}

/** Rows `indices` of a row-major count × dim feature table, as a [m, dim] tensor. */
function rows(features: Float64Array, dim: number, indices: Int32Array): tf.Tensor2D {
  const out = new Float32Array(indices.length * dim);
  indices.forEach((row, k) => out.set(features.subarray(row * dim, (row + 1) * dim), k * dim));
  return tf.tensor2d(out, [indices.length, dim]);
}

/**
 * Mean of the kernel matrix k(a, b) = (a·b/d + 1)³, without its diagonal when `offDiagonal`.
 * The entries come from the engine in float32; they are summed here in float64. Summed in
 * float32 (as wasm does), a million entries that share a large offset lose the small
 * difference between kernel means that MMD² is, and KID comes out as garbage, even negative.
 */
async function kernelMean(a: tf.Tensor2D, b: tf.Tensor2D, offDiagonal: boolean): Promise<number> {
  const [m, d] = a.shape;
  const n = b.shape[0];
  const matrix = tf.tidy(() => tf.pow(tf.add(tf.div(tf.matMul(a, b, false, true), d), 1), 3));
  const values = await matrix.data();
  matrix.dispose();
  let sum = 0;
  for (let i = 0; i < m; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += values[i * n + j]!;
    sum += offDiagonal ? row - values[i * n + i]! : row;
  }
  return sum / (offDiagonal ? m * (m - 1) : m * n);
}

/** Unbiased MMD² of two [m, d] samples with k(x, y) = (x·y/d + 1)³ (leaving out k(xᵢ, xᵢ)). */
async function mmd2(x: tf.Tensor2D, y: tf.Tensor2D): Promise<number> {
  const kxx = await kernelMean(x, x, true);
  const kyy = await kernelMean(y, y, true);
  const kxy = await kernelMean(x, y, false);
  return kxx + kyy - 2 * kxy;
}

/**
 * KID of two feature tables (count × dim, row-major): `subsets` random subsets of
 * min(`subsetSize`, both counts) rows from each, drawn from `seed`.
 */
export async function kernelDistance(
  real: { features: Float64Array; count: number },
  fake: { features: Float64Array; count: number },
  dim: number,
  seed: number,
  subsets = 50,
  subsetSize = 1000,
): Promise<KidResult> {
  const m = Math.min(subsetSize, real.count, fake.count);
  if (m < 2) throw new RangeError(`KID needs at least 2 samples on each side, got ${real.count} and ${fake.count}`);
  const realVaries = real.count > m;
  const fakeVaries = fake.count > m;
  const resampled = realVaries ? (fakeVaries ? 'both' : 'real') : fakeVaries ? 'generated' : 'none';
  const count = resampled === 'none' ? 1 : subsets;
  const values: number[] = [];
  for (let s = 0; s < count; s++) {
    const x = rows(real.features, dim, permutation(real.count, deriveSeed(seed, s, 1)).subarray(0, m));
    const y = rows(fake.features, dim, permutation(fake.count, deriveSeed(seed, s, 2)).subarray(0, m));
    try {
      values.push(await mmd2(x, y));
    } finally {
      tf.dispose([x, y]);
    }
  }
  const { mean, std } = meanStd(values);
  return { mean, std: count > 1 ? std : null, subsets: count, subsetSize: m, resampled };
}
