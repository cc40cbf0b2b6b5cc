// Drawing images from a generator: seeded latent noise (and class labels for conditional
// generators), and a forward pass in inference mode (batch norm uses its moving statistics,
// so one image does not depend on the others drawn with it, and `--n 1` works).
import * as tf from '@tensorflow/tfjs';
import type { ImageBatch } from './image.js';
import { mulberry32, normalCdf, normalQuantile } from './random.js';
import type { ImageShape } from './models/types.js';

/**
 * Standard-normal latent vectors [count, latentDim] from a seed. With `truncation` ψ every value
 * is drawn from the normal truncated to [−ψ, ψ] instead (the "truncation trick" of Brock et al.
 * 2019): samples from where the generator was trained most, sharper and more typical, at the
 * cost of variety. Drawn by inverting the CDF of a uniform draw, so one seed gives one sample.
 */
export function latentNoise(count: number, latentDim: number, seed: number, truncation?: number): tf.Tensor2D {
  if (truncation === undefined) return tf.randomNormal([count, latentDim], 0, 1, 'float32', seed);
  const [lo, hi] = [normalCdf(-truncation), normalCdf(truncation)];
  const uniform = mulberry32(seed);
  const values = Float32Array.from({ length: count * latentDim }, () => {
    const z = normalQuantile(lo + (hi - lo) * uniform());
    return Math.max(-truncation, Math.min(truncation, z));
  });
  return tf.tensor2d(values, [count, latentDim]);
}

/** True when the generator takes (z, class) inputs. */
export function isConditional(generator: tf.LayersModel): boolean {
  return generator.inputs.length === 2;
}

/** Number of classes a conditional generator knows (the width of its one-hot class input). */
export function classCount(generator: tf.LayersModel): number {
  return isConditional(generator) ? (generator.inputs[1]!.shape[1] as number) : 0;
}

/** Class ids -> the one-hot [n, classes] float32 input conditional networks take. */
export function oneHotLabels(labels: tf.Tensor | Int32Array, classes: number): tf.Tensor2D {
  return tf.tidy(() => {
    const ids = labels instanceof tf.Tensor ? labels.reshape([-1]) : tf.tensor1d(labels, 'int32');
    return tf.oneHot(tf.cast(ids, 'int32') as tf.Tensor1D, classes).toFloat() as tf.Tensor2D;
  });
}

/** The latent size a generator expects. */
export function latentDimOf(generator: tf.LayersModel): number {
  return generator.inputs[0]!.shape[1] as number;
}

/**
 * Class labels for `count` conditional samples: all `fixedClass`, or cycling 0..classes-1
 * (so a grid with `classes` columns shows one class per column).
 */
export function sampleLabels(count: number, classes: number, fixedClass?: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => fixedClass ?? i % classes);
}

/**
 * `count` class labels in the proportions of `classCounts` (e.g. how many images of each class a
 * training split holds), as blocks 0, 0, …, 1, 1, …: block c ends at round(count × the share of
 * classes 0..c), so the blocks add up to `count`. All zero counts: every class equally often.
 */
export function labelsInProportion(count: number, classCounts: readonly number[]): Int32Array {
  const total = classCounts.reduce((a, b) => a + b, 0);
  if (total === 0) return sampleLabels(count, classCounts.length);
  const labels = new Int32Array(count);
  let start = 0;
  let cumulative = 0;
  classCounts.forEach((classCount, c) => {
    cumulative += classCount;
    const end = Math.round((count * cumulative) / total);
    labels.fill(c, start, end);
    start = end;
  });
  return labels;
}

/**
 * The generator's images for rows [start, start + size) of `noise` (and of `classInput`, the
 * [n, classes] class rows a conditional generator takes: one-hot or mixed), in inference mode.
 */
export function generateRows(
  generator: tf.LayersModel,
  noise: tf.Tensor2D,
  classInput: tf.Tensor2D | undefined,
  start: number,
  size: number,
): tf.Tensor {
  return tf.tidy(() => {
    const z = noise.slice([start, 0], [size, -1]);
    const inputs = classInput ? [z, classInput.slice([start, 0], [size, -1])] : z;
    return generator.apply(inputs, { training: false }) as tf.Tensor;
  });
}

/** Runs the generator over all rows of `noise` (and `classInput`) in chunks; pixels in [-1, 1] on the CPU side. */
export async function generateFrom(
  generator: tf.LayersModel,
  noise: tf.Tensor2D,
  classInput?: tf.Tensor2D,
  chunk = 256,
): Promise<ImageBatch> {
  const [count] = noise.shape;
  if (isConditional(generator) && classInput?.shape[0] !== count)
    throw new Error(`a conditional generator needs ${count} rows of class input`);
  if (!isConditional(generator) && classInput) throw new Error('an unconditional generator takes no class input');
  const { height, width, channels } = describeGenerator(generator).imageShape;
  const perImage = height * width * channels;
  const pixels = new Float32Array(count * perImage);
  for (let start = 0; start < count; start += chunk) {
    const images = generateRows(generator, noise, classInput, start, Math.min(chunk, count - start));
    pixels.set(await images.data<'float32'>(), start * perImage);
    images.dispose();
  }
  return { pixels, count, height, width, channels };
}

/** generateFrom with class ids (one per noise row) for a conditional generator. */
export async function generateImages(
  generator: tf.LayersModel,
  noise: tf.Tensor2D,
  labels?: Int32Array,
  chunk = 256,
): Promise<ImageBatch> {
  const [count] = noise.shape;
  const conditional = isConditional(generator);
  if (conditional && (!labels || labels.length !== count)) {
    throw new Error(`a conditional generator needs ${count} class labels`);
  }
  const classInput = conditional ? oneHotLabels(labels!, classCount(generator)) : undefined;
  try {
    return await generateFrom(generator, noise, classInput, chunk);
  } finally {
    classInput?.dispose();
  }
}

/** What a trained generator takes and makes, read from the model itself (not from a config that may have changed). */
export interface GeneratorInfo {
  latentDim: number;
  conditional: boolean;
  /** Width of the one-hot class input; 0 when unconditional. */
  classes: number;
  imageShape: ImageShape;
}

export function describeGenerator(generator: tf.LayersModel): GeneratorInfo {
  const [, height, width, channels] = generator.outputs[0]!.shape as number[];
  return {
    latentDim: latentDimOf(generator),
    conditional: isConditional(generator),
    classes: classCount(generator),
    imageShape: { height: height!, width: width!, channels: channels ?? 1 },
  };
}
