// How class labels enter the networks, shared by every architecture.
//  - Generator: z is concatenated with a learned class embedding (Mirza & Osindero 2014).
//  - Discriminator: projection (Miyato & Koyama 2018): logit = ψ(φ(x)) + <embed(y), φ(x)>,
//    where φ(x) is D's last feature vector. The label enters only through an inner product,
//    which works with every objective (incl. WGAN-GP) and adds no extra loss term, unlike an
//    auxiliary classifier (ACGAN), whose classification loss can pull D away from the GAN game.
// Labels enter as one-hot vectors and "embedding" is a bias-free dense layer: the same math as
// an Embedding lookup, but its gradient is a matmul, which every engine has (the wasm engine
// lacks UnsortedSegmentSum, the gradient of an Embedding's gather).
import * as tf from '@tensorflow/tfjs';
import type { SeededInit } from './init.js';

/** Label inputs are one-hot float32 vectors of shape [n, classes]. */
export function labelInput(classes: number): tf.SymbolicTensor {
  return tf.input({ shape: [classes], name: 'class' });
}

function embed(label: tf.SymbolicTensor, units: number, init: SeededInit, name: string): tf.SymbolicTensor {
  return tf.layers.dense({ units, useBias: false, kernelInitializer: init.normal(), name }).apply(label) as tf.SymbolicTensor;
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

/** The logit from D's feature vector φ, plus the projection term when conditional. */
export function discriminatorHead(
  features: tf.SymbolicTensor,
  classes: number,
  label: tf.SymbolicTensor | undefined,
  init: SeededInit,
): tf.SymbolicTensor {
  const logit = tf.layers.dense({ units: 1, kernelInitializer: init.normal(), name: 'd_logit' }).apply(features) as tf.SymbolicTensor;
  if (classes <= 0 || !label) return logit;
  const width = features.shape[features.shape.length - 1] as number;
  const embedded = embed(label, width, init, 'd_class_embed');
  const projection = tf.layers.dot({ axes: 1, name: 'd_projection' }).apply([embedded, features]) as tf.SymbolicTensor;
  return tf.layers.add({ name: 'd_out' }).apply([logit, projection]) as tf.SymbolicTensor;
}

/** Applies layers in sequence to a symbolic tensor. */
export function chain(input: tf.SymbolicTensor, layers: tf.layers.Layer[]): tf.SymbolicTensor {
  return layers.reduce((x, layer) => layer.apply(x) as tf.SymbolicTensor, input);
}
