// How class labels enter the networks, shared by every architecture.
//  - Generator: z is concatenated with a learned class embedding (Mirza & Osindero 2014).
//  - Discriminator, `model.conditioning`:
//    projection (Miyato & Koyama 2018): logit = ψ(φ(x)) + <embed(y), φ(x)>, where φ(x) is D's
//      last feature vector; D takes (image, class). The label enters only through an inner
//      product and adds no loss term.
//    acgan (Odena et al. 2017): D takes the image only and has a second head, class logits
//      over φ(x); D and G both also minimise its cross-entropy on real and generated images
//      (trainer), which pushes G hard towards recognisable classes.
// Labels enter as one-hot vectors and "embedding" is a bias-free dense layer: the same math as
// an Embedding lookup, but its gradient is a matmul, which every engine has (the wasm engine
// lacks UnsortedSegmentSum, the gradient of an Embedding's gather).
import * as tf from '@tensorflow/tfjs';
import type { SeededInit } from './init.js';
import type { BuildOptions } from './types.js';

/** Label inputs are one-hot float32 vectors of shape [n, classes]. */
export function labelInput(classes: number): tf.SymbolicTensor {
  return tf.input({ shape: [classes], name: 'class' });
}

function embed(label: tf.SymbolicTensor, units: number, init: SeededInit, name: string): tf.SymbolicTensor {
  return tf.layers
    .dense({ units, useBias: false, kernelInitializer: init.normal(), name })
    .apply(label) as tf.SymbolicTensor;
}

const EMBED_DIM = 50;

/** z, or [z ‖ embed(y)] for a conditional generator. */
export function generatorInputs(
  latentDim: number,
  classes: number,
  init: SeededInit,
): { inputs: tf.SymbolicTensor[]; features: tf.SymbolicTensor } {
  const z = tf.input({ shape: [latentDim], name: 'z' });
  if (classes <= 0) return { inputs: [z], features: z };
  const y = labelInput(classes);
  const embedded = embed(y, EMBED_DIM, init, 'g_class_embed');
  const joined = tf.layers.concatenate({ name: 'g_join' }).apply([z, embedded]) as tf.SymbolicTensor;
  return { inputs: [z, y], features: joined };
}

/** Whether D predicts the class with a second head (an ACGAN D). */
export function hasClassHead(opts: Pick<BuildOptions, 'classes' | 'conditioning'>): boolean {
  return opts.classes > 0 && opts.conditioning === 'acgan';
}

/** Whether D takes the class as an input (a projection D); an ACGAN D predicts it instead. */
export function takesLabel(opts: Pick<BuildOptions, 'classes' | 'conditioning'>): boolean {
  return opts.classes > 0 && opts.conditioning === 'projection';
}

/**
 * D's outputs from its feature vector φ: the logit (plus the projection term for a projection
 * D), and for an ACGAN D also the class logits [n, classes].
 */
export function discriminatorHead(
  features: tf.SymbolicTensor,
  opts: Pick<BuildOptions, 'classes' | 'conditioning'>,
  label: tf.SymbolicTensor | undefined,
  init: SeededInit,
): tf.SymbolicTensor[] {
  const logit = tf.layers
    .dense({ units: 1, kernelInitializer: init.normal(), name: 'd_logit' })
    .apply(features) as tf.SymbolicTensor;
  if (hasClassHead(opts)) {
    const classLogits = tf.layers
      .dense({ units: opts.classes, kernelInitializer: init.normal(), name: 'd_class_logits' })
      .apply(features) as tf.SymbolicTensor;
    return [logit, classLogits];
  }
  if (!takesLabel(opts) || !label) return [logit];
  const width = features.shape[features.shape.length - 1] as number;
  const embedded = embed(label, width, init, 'd_class_embed');
  const projection = tf.layers.dot({ axes: 1, name: 'd_projection' }).apply([embedded, features]) as tf.SymbolicTensor;
  return [tf.layers.add({ name: 'd_out' }).apply([logit, projection]) as tf.SymbolicTensor];
}

/** Applies layers in sequence to a symbolic tensor. */
export function chain(input: tf.SymbolicTensor, layers: tf.layers.Layer[]): tf.SymbolicTensor {
  return layers.reduce((x, layer) => layer.apply(x) as tf.SymbolicTensor, input);
}
