// The semi-supervised GAN of Salimans et al. (2016, "Improved Techniques for Training GANs";
// improved-gan's train_mnist_feature_matching.py), where the discriminator is also the
// classifier:
//   D: image → [0, 1] → noise σ0.3 → WN-dense 1000 → noise σ0.5 → 500 → 250 → 250 → 250 (ReLU,
//      noise σ0.5 before each) → WN-dense K: the K class logits. The fake class's logit is fixed
//      at 0, so D(x) = Z/(Z + 1) with Z = Σ exp lₖ(x).
//   G: z → dense 500 (no bias) → batch norm → softplus → dense 500 → batch norm → softplus →
//      WN-dense 784, softplus (model.g_output) → [-1, ∞) like the other generators' [-1, 1].
// Weight normalisation with data-dependent initialisation (weight-norm.ts) is what the
// reference and its ports report as essential. Softplus at G's output instead of the
// reference's sigmoid: with a sigmoid, D separated real from fake within a few hundred
// iterations here and the unlabelled term stopped teaching
// (docs/experiments/2026-11-30-ssgan-recipe.md).
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, normalArray, permutation, Stream } from '../random.js';
import type { BuildOptions, GanModels } from '../models/types.js';
import { WeightNormDense, type ScaleShift } from './weight-norm.js';

export const SSGAN_DEFAULT_G = [500, 500];
export const SSGAN_DEFAULT_D = [1000, 500, 250, 250, 250];
/** Noise on D's input, and before every later layer. */
const INPUT_NOISE = 0.3;
const HIDDEN_NOISE = 0.5;
const GENERATOR = 1;
const DISCRIMINATOR = 2;

export function buildSsganDiscriminator(opts: BuildOptions): tf.Sequential {
  const { height, width, channels } = opts.imageShape;
  const model = tf.sequential({ name: 'discriminator' });
  model.add(tf.layers.flatten({ inputShape: [height, width, channels], name: 'd_flatten' }));
  model.add(tf.layers.rescaling({ scale: 0.5, offset: 0.5, name: 'd_unit' }));
  const widths = [...opts.dWidths, opts.classes];
  widths.forEach((units, i) => {
    const last = i === widths.length - 1;
    model.add(tf.layers.gaussianNoise({ stddev: i === 0 ? INPUT_NOISE : HIDDEN_NOISE, name: `d_noise${i}` }));
    model.add(
      new WeightNormDense({
        units,
        activation: last ? 'linear' : 'relu',
        // As in the reference, only the output layer's scale trains; the hidden layers keep the
        // scale their data-dependent initialisation gave them.
        trainScale: last,
        name: last ? 'd_logits' : `d_fc${i + 1}`,
        seed: deriveSeed(opts.seed, Stream.init, DISCRIMINATOR, i),
      }),
    );
  });
  return model;
}

export function buildSsganGenerator(opts: BuildOptions): tf.Sequential {
  const { height, width, channels } = opts.imageShape;
  const model = tf.sequential({ name: 'generator' });
  opts.gWidths.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        useBias: false,
        kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(opts.seed, Stream.init, GENERATOR, i) }),
        name: `g_fc${i + 1}`,
        ...(i === 0 ? { inputShape: [opts.latentDim] } : {}),
      }),
    );
    // The reference normalises with batch statistics and learns a shift only; tfjs's batch norm
    // needs its scale in training mode, so the scale exists but is left out of training
    // (trainedWeights below).
    model.add(tf.layers.batchNormalization({ epsilon: 1e-6, momentum: 0.9, name: `g_bn${i + 1}` }));
    model.add(tf.layers.activation({ activation: 'softplus', name: `g_softplus${i + 1}` }));
  });
  model.add(
    new WeightNormDense({
      units: height * width * channels,
      activation: opts.gOutput,
      trainScale: true,
      vStddev: 0.05,
      name: 'g_out',
      seed: deriveSeed(opts.seed, Stream.init, GENERATOR, opts.gWidths.length),
    }),
  );
  model.add(tf.layers.rescaling({ scale: 2, offset: -1, name: 'g_range' }));
  model.add(tf.layers.reshape({ targetShape: [height, width, channels], name: 'g_image' }));
  return model;
}

export function buildSsgan(opts: BuildOptions): GanModels {
  return {
    generator: buildSsganGenerator(opts),
    discriminator: buildSsganDiscriminator(opts),
    latentDim: opts.latentDim,
    imageShape: opts.imageShape,
    // The generator is unconditional: the classes are D's outputs.
    classes: 0,
    auxClassifier: false,
  };
}

/** The weights the optimiser moves: all trainable ones but G's batch-norm scales (fixed at 1). */
export function trainedWeights(network: tf.LayersModel): tf.Variable[] {
  return network.trainableWeights.filter((w) => !/_bn\d+\/gamma/.test(w.name)).map((w) => w.read() as tf.Variable);
}

const isNoise = (layer: tf.layers.Layer) => layer.getClassName() === 'GaussianNoise';
const noiseStddev = (layer: tf.layers.Layer) => (layer.getConfig() as { stddev: number }).stddev;

/** Adds N(0, σ²) noise drawn from `seed` (random.ts's normal stream) to x. */
export type AddNoise = (x: tf.Tensor, sigma: number, seed: number) => tf.Tensor;

/** The plain tfjs way; an engine may hand the trainer a one-kernel version of the same numbers. */
export const addNormalNoise: AddNoise = (x, sigma, seed) =>
  tf.add(x, tf.tensor(normalArray(x.size, sigma, seed), x.shape));

/**
 * How D computes one training pass: the seed each layer's noise derives from, how the noise is
 * added, and how the weight-normalised layers scale, shift and activate their products.
 */
export interface TrainingPass {
  seed: number;
  add?: AddNoise;
  scaleShift?: ScaleShift;
}

export interface DiscriminatorOutput {
  /** [n, K] class logits. */
  logits: tf.Tensor2D;
  /** The last hidden layer's output, before its noise: what feature matching compares. */
  features: tf.Tensor2D;
}

/** g/‖v‖ of each of D's weight-normalised layers, in order: for passes while D is fixed. */
export function weightScales(d: tf.LayersModel): tf.Tensor1D[] {
  return d.layers.filter((layer) => layer instanceof WeightNormDense).map((layer) => layer.scale());
}

/**
 * D's forward pass. With `noise`, D's noise layers add N(0, σ²) drawn from its seed
 * (training: each pass gets its own seed, so runs repeat exactly); without it they are off.
 * `scales` (from weightScales) saves recomputing them when D is fixed.
 */
export function discriminate(
  d: tf.LayersModel,
  images: tf.Tensor,
  noise?: TrainingPass,
  scales?: tf.Tensor1D[],
): DiscriminatorOutput {
  const { output, features } = forward(d, images, d.layers.length, noise, scales);
  return { logits: output as tf.Tensor2D, features };
}

/** D's last hidden features (feature matching), without computing the logits. */
export function discriminatorFeatures(
  d: tf.LayersModel,
  images: tf.Tensor,
  noise?: TrainingPass,
  scales?: tf.Tensor1D[],
): tf.Tensor2D {
  // The last two layers are the logits' noise and the logits.
  return forward(d, images, d.layers.length - 2, noise, scales).features;
}

/** D's first `layers` layers; `features` is the output of the last layer before the final noise. */
function forward(d: tf.LayersModel, images: tf.Tensor, layers: number, noise?: TrainingPass, scales?: tf.Tensor1D[]) {
  const add = noise?.add ?? addNormalNoise;
  const featureLayer = d.layers.length - 3;
  let h = images;
  let features = images;
  let dense = 0;
  d.layers.slice(0, layers).forEach((layer, i) => {
    if (isNoise(layer)) {
      if (noise) h = add(h, noiseStddev(layer), deriveSeed(noise.seed, i));
      return;
    }
    // Weight-normalised layers are called directly: the maths of layer.apply without the layers
    // API's per-call bookkeeping, and with the scale given when the caller has it.
    h =
      layer instanceof WeightNormDense
        ? layer.outputOf(h, scales?.[dense++], noise?.scaleShift)
        : (layer.apply(h) as tf.Tensor);
    if (i <= featureLayer) features = h;
  });
  return { output: h, features: features as tf.Tensor2D };
}

/**
 * Data-dependent initialisation (Salimans & Kingma 2016): layer by layer on a batch of real
 * images, noise on, every weight-normalised layer's scale and bias are set so that its
 * pre-activations have mean 0 and standard deviation 1.
 */
export function initializeFromData(d: tf.LayersModel, images: tf.Tensor, noiseSeed: number): void {
  tf.tidy(() => {
    let h = images;
    d.layers.forEach((layer, i) => {
      if (isNoise(layer)) h = addNormalNoise(h, noiseStddev(layer), deriveSeed(noiseSeed, i));
      else h = layer instanceof WeightNormDense ? layer.initFromBatch(h) : (layer.apply(h) as tf.Tensor);
    });
  });
}

/** Images D's data-dependent initialisation looks at. */
const INIT_BATCH = 500;

/**
 * initializeFromData on up to INIT_BATCH of `images` ([N, H, W, C] in [-1, 1]), drawn with the
 * run seed: what a fresh semi-supervised D (and the labelled-only baseline) starts from.
 */
export function initializeOnImages(d: tf.LayersModel, images: tf.Tensor4D, seed: number): void {
  const count = images.shape[0];
  const rows = permutation(count, deriveSeed(seed, Stream.dataInit));
  tf.tidy(() => {
    const batch = tf.gather(images, tf.tensor1d(rows.subarray(0, Math.min(INIT_BATCH, count)), 'int32'));
    initializeFromData(d, batch, deriveSeed(seed, Stream.dataInit, 1));
  });
}

/** Whether a discriminator is a classifier: a semi-supervised D, whose outputs are class logits. */
export function isClassifier(d: tf.LayersModel): boolean {
  return d.layers.some((layer) => layer instanceof WeightNormDense) && d.outputs.length === 1;
}

/** The class D predicts for each image and its probability (noise off), for images in [-1, 1]. */
export async function predictClasses(
  d: tf.LayersModel,
  images: tf.Tensor4D,
  chunk = 500,
): Promise<{ classes: Int32Array; confidence: Float32Array }> {
  const n = images.shape[0];
  const classes = new Int32Array(n);
  const confidence = new Float32Array(n);
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const [predicted, probability] = tf.tidy(() => {
      // gather, not slice: a wasm slice reads the whole pool.
      const rows = tf.range(start, start + size, 1, 'int32');
      const probs = tf.softmax(discriminate(d, tf.gather(images, rows)).logits);
      return [tf.argMax(probs, 1), tf.max(probs, 1)];
    });
    classes.set(await predicted!.data(), start);
    confidence.set(await probability!.data(), start);
    tf.dispose([predicted!, probability!]);
  }
  return { classes, confidence };
}

/** The class D predicts for each image (noise off), for images in [-1, 1]. */
export async function classify(d: tf.LayersModel, images: tf.Tensor4D, chunk = 500): Promise<Int32Array> {
  return (await predictClasses(d, images, chunk)).classes;
}
