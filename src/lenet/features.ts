// Running a classifier over many images in batches: features (for FID) and class
// probabilities (for the classifier score, coverage, accuracy), moved to float64 on the CPU
// side for the statistics. Only one batch of activations lives on the backend at a time.
import * as tf from '@tensorflow/tfjs';
import { forward } from './model.js';

export interface FeatureSet extends ProbabilityTable {
  /** count × dim, row-major. */
  features: Float64Array;
  dim: number;
}

/** Produces images [start, start + size) as a [size, H, W, C] tensor in [-1, 1]; called inside tf.tidy. */
export type ImageSource = (start: number, size: number) => tf.Tensor4D;

export const DEFAULT_CHUNK = 500;

/** Classifies `count` images drawn from `source` in chunks of `chunk`. */
export async function extractFeatures(
  classifier: tf.LayersModel,
  count: number,
  source: ImageSource,
  chunk = DEFAULT_CHUNK,
): Promise<FeatureSet> {
  const dim = classifier.getLayer('features').outputShape[1] as number;
  const classes = classifier.outputs[0]!.shape[1] as number;
  const features = new Float64Array(count * dim);
  const probs = new Float64Array(count * classes);
  for (let start = 0; start < count; start += chunk) {
    const size = Math.min(chunk, count - start);
    const [f, p] = tf.tidy(() => {
      const out = forward(classifier, source(start, size));
      return [out.features, tf.softmax(out.logits)];
    });
    // Float32 → float64 here: the statistics accumulate in double precision.
    features.set(await f!.data<'float32'>(), start * dim);
    probs.set(await p!.data<'float32'>(), start * classes);
    tf.dispose([f!, p!]);
  }
  return { features, probs, count, dim, classes };
}

/** A source that slices an in-memory [N, H, W, C] image tensor, optionally through an index list. */
export function tensorSource(images: tf.Tensor4D, indices?: Int32Array): ImageSource {
  if (!indices) return (start, size) => images.slice([start, 0, 0, 0], [size, -1, -1, -1]);
  return (start, size) => tf.gather(images, tf.tensor1d(indices.subarray(start, start + size), 'int32')) as tf.Tensor4D;
}

/** A table of class probabilities: `count` rows of `classes` values, row-major, rows sum to 1. */
export interface ProbabilityTable {
  probs: Float64Array;
  count: number;
  classes: number;
}

/** The most probable class of each row (the lowest index on ties). */
export function predictedClasses({ probs, count, classes }: ProbabilityTable): Int32Array {
  checkTable(probs, count, classes);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/** Fraction of predictions equal to the labels. */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predicted.length !== labels.length)
    throw new RangeError(`accuracy: ${predicted.length} predictions for ${labels.length} labels`);
  if (labels.length === 0) return 0;
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right += 1;
  return right / labels.length;
}

export function checkTable(probs: Float64Array, count: number, classes: number): void {
  if (probs.length !== count * classes)
    throw new RangeError(
      `probability table: ${count} × ${classes} needs ${count * classes} values, got ${probs.length}`,
    );
  if (count === 0) throw new RangeError('probability table: no rows');
}
