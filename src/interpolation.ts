// Walks through a generator's inputs for `gan interpolate`.
//
// Spherical linear interpolation between latent vectors (Shoemake 1985; for GAN latents see
// White 2016, "Sampling Generative Networks"). A straight line between two Gaussian samples
// passes close to the origin, where a high-dimensional N(0, I) almost never puts a point, so
// its middle images look washed out; the great-circle path keeps the norm in the typical range.
//
// Interpolating between classes through the generator's own inputs. A conditional generator
// takes its class as a one-hot vector into bias-free dense layers only (models/conditioning.ts),
// so feeding the mixture (1 - t) * onehot(A) + t * onehot(B) yields exactly the linearly
// interpolated class embeddings (1 - t) * embed(A) + t * embed(B): no surgery on the graph.
import * as tf from '@tensorflow/tfjs';
import { latentNoise } from './sampling.js';

/** Below this sin(angle) the vectors are (anti)parallel and the slerp weights blow up. */
const PARALLEL_EPSILON = 1e-6;

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/**
 * The point a fraction `t` of the way from `a` to `b` along the great circle through them
 * (scaled by the angle only, so unit vectors stay unit vectors). For (anti)parallel vectors,
 * where that circle is not defined, it falls back to linear interpolation.
 */
export function slerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): Float32Array {
  if (a.length !== b.length) throw new Error(`slerp: vectors of length ${a.length} and ${b.length}`);
  const na = norm(a);
  const nb = norm(b);
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  const cos = na > 0 && nb > 0 ? Math.max(-1, Math.min(1, dot / (na * nb))) : 1;
  const omega = Math.acos(cos);
  const sin = Math.sin(omega);
  const [wa, wb] = sin < PARALLEL_EPSILON ? [1 - t, t] : [Math.sin((1 - t) * omega) / sin, Math.sin(t * omega) / sin];
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i]! + wb * b[i]!;
  return out;
}

/** `steps` evenly spaced points from `a` to `b` (both included), as one [steps * dim] array. */
export function slerpPath(a: ArrayLike<number>, b: ArrayLike<number>, steps: number): Float32Array {
  if (steps < 2) throw new Error(`slerpPath: steps must be ≥ 2, got ${steps}`);
  const out = new Float32Array(steps * a.length);
  for (let s = 0; s < steps; s++) out.set(slerp(a, b, s / (steps - 1)), s * a.length);
  return out;
}

/** Rows of slerp paths between pairs of random latent points: [rows * steps, latentDim]. */
export async function latentPaths(rows: number, steps: number, latentDim: number, seed: number): Promise<tf.Tensor2D> {
  const ends = latentNoise(2 * rows, latentDim, seed);
  const values = await ends.data();
  ends.dispose();
  const out = new Float32Array(rows * steps * latentDim);
  for (let r = 0; r < rows; r++) {
    const a = values.subarray(2 * r * latentDim, (2 * r + 1) * latentDim);
    const b = values.subarray((2 * r + 1) * latentDim, (2 * r + 2) * latentDim);
    out.set(slerpPath(a, b, steps), r * steps * latentDim);
  }
  return tf.tensor2d(out, [rows * steps, latentDim]);
}

/** One fixed z per row, repeated `steps` times: [rows * steps, latentDim]. */
export function fixedRows(rows: number, steps: number, latentDim: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const z = latentNoise(rows, latentDim, seed);
    return z
      .reshape([rows, 1, latentDim])
      .tile([1, steps, 1])
      .reshape([rows * steps, latentDim]) as tf.Tensor2D;
  });
}

/**
 * Class inputs for `rows` rows of `steps` images, each row going from class `a` to class `b`:
 * [rows * steps, classes], row-major like the image grid.
 */
export function classMixRows(a: number, b: number, classes: number, steps: number, rows: number): tf.Tensor2D {
  return tf.tidy(() => {
    const t = tf.linspace(0, 1, steps).reshape([steps, 1]);
    const ends = tf.oneHot(tf.tensor1d([a, b], 'int32'), classes).toFloat();
    const [ea, eb] = tf.split(ends, 2);
    const row = ea!.mul(tf.scalar(1).sub(t)).add(eb!.mul(t));
    return tf.tile(row, [rows, 1]) as tf.Tensor2D;
  });
}
