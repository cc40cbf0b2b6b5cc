// Improved precision and recall (Kynkäänniemi et al. 2019) in the evaluation classifier's feature
// space. Each sample set stands for a manifold: the union of balls around its points, each ball
// reaching to that point's k-th nearest neighbour in its own set. Precision is the share of
// generated samples inside the real manifold (are the images realistic?); recall is the share of
// real samples inside the generated manifold (is the variety covered?). A generator that never
// draws one class keeps its precision and loses recall.
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, permutation } from '../random.js';
import { PRECISION_RECALL_K } from './sample-size.js';

export interface PrecisionRecall {
  precision: number;
  recall: number;
  /** Samples per side (the smaller set's size, capped). */
  samples: number;
  k: number;
}

const CHUNK = 512;

/** Squared distances between the rows of a [n, d] and b [m, d]: [n, m]. */
function squaredDistances(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const an = tf.sum(tf.square(a), 1, true);
    const bn = tf.sum(tf.square(b), 1, true).transpose();
    return tf.relu(tf.add(tf.sub(an, tf.mul(2, tf.matMul(a, b, false, true))), bn)) as tf.Tensor2D;
  });
}

/** Squared distance from each row to its k-th nearest other row of the same set. */
async function kthNeighbourRadii(set: tf.Tensor2D, k: number): Promise<tf.Tensor1D> {
  const n = set.shape[0];
  const parts: tf.Tensor1D[] = [];
  for (let start = 0; start < n; start += CHUNK) {
    parts.push(
      tf.tidy(() => {
        const block = set.slice([start, 0], [Math.min(CHUNK, n - start), -1]);
        // The k + 1 smallest include the row itself (distance 0).
        const { values } = tf.topk(tf.neg(squaredDistances(block, set)), k + 1);
        return tf.neg(values.slice([0, k], [-1, 1])).reshape([-1]) as tf.Tensor1D;
      }),
    );
  }
  const radii = tf.concat(parts);
  tf.dispose(parts);
  return radii;
}

/** Share of `queries` rows that lie within the radius of at least one `manifold` row. */
async function coverage(queries: tf.Tensor2D, manifold: tf.Tensor2D, radii: tf.Tensor1D): Promise<number> {
  const n = queries.shape[0];
  let inside = 0;
  for (let start = 0; start < n; start += CHUNK) {
    const hits = tf.tidy(() => {
      const block = queries.slice([start, 0], [Math.min(CHUNK, n - start), -1]);
      const within = tf.lessEqual(squaredDistances(block, manifold), radii.reshape([1, -1]));
      return tf.sum(tf.cast(tf.any(within, 1), 'int32'));
    });
    inside += (await hits.data())[0]!;
    hits.dispose();
  }
  return inside / n;
}

function rowsTensor(features: Float64Array, dim: number, indices: Int32Array): tf.Tensor2D {
  const out = new Float32Array(indices.length * dim);
  indices.forEach((row, i) => out.set(features.subarray(row * dim, (row + 1) * dim), i * dim));
  return tf.tensor2d(out, [indices.length, dim]);
}

/**
 * Precision and recall of `fake` against `real` (count × dim feature tables), on equal-size
 * random subsets of at most `maxSamples` rows each (drawn from `seed`), k-th neighbour radii.
 */
export async function precisionRecall(
  real: { features: Float64Array; count: number },
  fake: { features: Float64Array; count: number },
  dim: number,
  seed: number,
  k = PRECISION_RECALL_K,
  maxSamples = 5000,
): Promise<PrecisionRecall> {
  const samples = Math.min(real.count, fake.count, maxSamples);
  if (samples <= k) throw new RangeError(`precision/recall with k = ${k} needs more than ${k} samples per side`);
  const r = rowsTensor(real.features, dim, permutation(real.count, deriveSeed(seed, 1)).subarray(0, samples));
  const f = rowsTensor(fake.features, dim, permutation(fake.count, deriveSeed(seed, 2)).subarray(0, samples));
  try {
    const realRadii = await kthNeighbourRadii(r, k);
    const fakeRadii = await kthNeighbourRadii(f, k);
    try {
      return {
        precision: await coverage(f, r, realRadii),
        recall: await coverage(r, f, fakeRadii),
        samples,
        k,
      };
    } finally {
      tf.dispose([realRadii, fakeRadii]);
    }
  } finally {
    tf.dispose([r, f]);
  }
}
