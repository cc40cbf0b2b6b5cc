// Drawing images from a generator: seeded latent noise (and class labels for conditional
// generators), and a forward pass in inference mode (batch norm uses its moving statistics,
// so one image does not depend on the others drawn with it, and `--n 1` works).
import * as tf from '@tensorflow/tfjs';
import type { ImageBatch } from './image.js';
import { mulberry32 } from './random.js';
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

/** Φ(x) of the standard normal, from erf (Abramowitz & Stegun 7.1.26, absolute error < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return 0.5 * (1 + (x < 0 ? -erf : erf));
}

/** Φ⁻¹(p) of the standard normal (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < tail) {
    const q = Math.sqrt(-2 * Math.log(p));
    const num = ((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + 2.938163982698783;
    return num / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - tail) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  const num = (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q;
  return num / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
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
  const [, height, width] = generator.outputs[0]!.shape as number[];
  const pixels = new Float32Array(count * height! * width!);
  for (let start = 0; start < count; start += chunk) {
    const images = generateRows(generator, noise, classInput, start, Math.min(chunk, count - start));
    pixels.set(await images.data<'float32'>(), start * height! * width!);
    images.dispose();
  }
  return { pixels, count, height: height!, width: width! };
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
