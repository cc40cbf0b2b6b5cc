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
  std: number;
  subsets: number;
  subsetSize: number;
}

/** Rows `indices` of a row-major count × dim feature table, as a [m, dim] tensor. */
function rows(features: Float64Array, dim: number, indices: Int32Array): tf.Tensor2D {
  const out = new Float32Array(indices.length * dim);
  indices.forEach((row, k) => out.set(features.subarray(row * dim, (row + 1) * dim), k * dim));
  return tf.tensor2d(out, [indices.length, dim]);
}

/** Unbiased MMD² of two [m, d] samples with k(x, y) = (x·y/d + 1)³. */
function mmd2(x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [m, d] = x.shape;
    const kernel = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.pow(tf.add(tf.div(tf.matMul(a, b, false, true), d), 1), 3);
    // The unbiased estimate leaves out k(xᵢ, xᵢ): the kernel matrix's trace, from the row norms.
    const trace = (a: tf.Tensor2D) => tf.sum(tf.pow(tf.add(tf.div(tf.sum(tf.square(a), 1), d), 1), 3));
    const withinMean = (a: tf.Tensor2D) => tf.div(tf.sub(tf.sum(kernel(a, a)), trace(a)), m * (m - 1));
    const kxx = withinMean(x);
    const kyy = withinMean(y);
    const kxy = tf.mean(kernel(x, y));
    return tf.sub(tf.add(kxx, kyy), tf.mul(2, kxy)) as tf.Scalar;
  });
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
  const values: number[] = [];
  for (let s = 0; s < subsets; s++) {
    const x = rows(real.features, dim, permutation(real.count, deriveSeed(seed, s, 1)).subarray(0, m));
    const y = rows(fake.features, dim, permutation(fake.count, deriveSeed(seed, s, 2)).subarray(0, m));
    const value = mmd2(x, y);
    values.push((await value.data())[0]!);
    tf.dispose([x, y, value]);
  }
  const { mean, std } = meanStd(values);
  return { mean, std, subsets, subsetSize: m };
}
