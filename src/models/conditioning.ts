// How class labels enter the networks, shared by every architecture.
//  - Generator: z is concatenated with a learned class embedding (Mirza & Osindero 2014).
//    With `model.class_norm` a DCGAN G also takes the class at every batch norm (conditional
//    batch norm, de Vries et al. 2017; the G that Miyato & Koyama pair with a projection D):
//    the label at the input alone has to survive every layer to shape the strokes.
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

/** z, or [z ‖ embed(y)] for a conditional generator (`label` is then y). */
export function generatorInputs(
  latentDim: number,
  classes: number,
  init: SeededInit,
): { inputs: tf.SymbolicTensor[]; features: tf.SymbolicTensor; label?: tf.SymbolicTensor } {
  const z = tf.input({ shape: [latentDim], name: 'z' });
  if (classes <= 0) return { inputs: [z], features: z };
  const y = labelInput(classes);
  const embedded = embed(y, EMBED_DIM, init, 'g_class_embed');
  const joined = tf.layers.concatenate({ name: 'g_join' }).apply([z, embedded]) as tf.SymbolicTensor;
  return { inputs: [z, y], features: joined, label: y };
}

/**
 * Conditional batch norm's class term, applied to the output h of a batch norm:
 * h · (1 + γ(y)) + β(y), where γ(y) and β(y) hold one scale and one shift per channel and
 * class. They start at zero, so a fresh network computes exactly what it would without them.
 */
export function classNorm(h: tf.SymbolicTensor, label: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  const channels = h.shape[h.shape.length - 1] as number;
  // [n, channels] -> [n, 1, ..., 1, channels], to broadcast over h's spatial axes.
  const broadcastShape = [...h.shape.slice(1, -1).map(() => 1), channels];
  const perClass = (kind: string): tf.SymbolicTensor => {
    const offsets = tf.layers
      .dense({ units: channels, useBias: false, kernelInitializer: 'zeros', name: `${name}_${kind}` })
      .apply(label) as tf.SymbolicTensor;
    return tf.layers
      .reshape({ targetShape: broadcastShape, name: `${name}_${kind}_shape` })
      .apply(offsets) as tf.SymbolicTensor;
  };
  const scaled = tf.layers.multiply({ name: `${name}_scaled` }).apply([h, perClass('gamma')]) as tf.SymbolicTensor;
  return tf.layers.add({ name: `${name}_cond` }).apply([h, scaled, perClass('beta')]) as tf.SymbolicTensor;
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
