// DCGAN for 28x28 images (Radford et al. 2016, sized for MNIST as in pytorch/examples dcgan):
// G: z -> dense 7x7xC0 -> BN -> ReLU -> [convT k4 s2 -> BN -> ReLU]* -> convT k4 s2 -> tanh
//    (model.class_norm: every BN also gets the class term of models/conditioning.ts)
// D: [conv k4 s2 -> LeakyReLU(0.2)]* -> flatten -> dense 1 (logit)
//    (model.minibatch_std: the batch's standard deviation joins as one more map before flatten)
// Two stride-2 stages take 7x7 to 28x28, so g_widths/d_widths have two entries by default.
// D has no batch norm: it sees real and fake batches separately, and BN statistics that differ
// between the two leak "which batch is this" to D; it also keeps D usable for gradient penalties.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors.js';
import {
  chain,
  classNorm,
  discriminatorHead,
  generatorInputs,
  hasClassHead,
  labelInput,
  takesLabel,
} from './conditioning.js';
import { DISCRIMINATOR, GENERATOR, SeededInit } from './init.js';
import { MinibatchStd } from './minibatch-std.js';
import type { BuildOptions, GanModels } from './types.js';

const KERNEL = 4;

export const DCGAN_DEFAULT_G = [128, 64];
export const DCGAN_DEFAULT_D = [64, 128];

function checkShape(opts: BuildOptions): number {
  const stages = opts.gWidths.length;
  const base = opts.imageShape.height / 2 ** stages;
  if (!Number.isInteger(base) || opts.imageShape.height !== opts.imageShape.width) {
    throw new UserError(
      `model.g_widths: ${stages} upsampling stages cannot make ${opts.imageShape.height}x${opts.imageShape.width} ` +
        `images (each stage doubles the side; use a square image whose side is divisible by 2^${stages})`,
    );
  }
  return base;
}

export function buildDcganGenerator(opts: BuildOptions): tf.LayersModel {
  const init = new SeededInit(opts.seed, GENERATOR);
  const base = checkShape(opts);
  const { inputs, features, label } = generatorInputs(opts.latentDim, opts.classes, init);
  const normLabel = opts.classNorm ? label : undefined;
  // Batch norm (with the class term for model.class_norm), then ReLU.
  const normalise = (x: tf.SymbolicTensor, name: string): tf.SymbolicTensor => {
    const bn = tf.layers.batchNormalization({ gammaInitializer: init.gamma(), name: `${name}_bn` });
    const h = bn.apply(x) as tf.SymbolicTensor;
    return chain(normLabel ? classNorm(h, normLabel, `${name}_bn`) : h, [tf.layers.reLU({ name: `${name}_relu` })]);
  };
  const [first, ...rest] = opts.gWidths;
  const projected = chain(features, [
    tf.layers.dense({
      units: base * base * first!,
      useBias: false,
      kernelInitializer: init.normal(),
      name: 'g_project',
    }),
  ]);
  let x = chain(normalise(projected, 'g_project'), [
    tf.layers.reshape({ targetShape: [base, base, first!], name: 'g_reshape' }),
  ]);
  rest.forEach((channels, i) => {
    const upsampled = chain(x, [
      tf.layers.conv2dTranspose({
        filters: channels,
        kernelSize: KERNEL,
        strides: 2,
        padding: 'same',
        useBias: false,
        kernelInitializer: init.normal(),
        name: `g_up${i + 1}`,
      }),
    ]);
    x = normalise(upsampled, `g_up${i + 1}`);
  });
  const image = chain(x, [
    tf.layers.conv2dTranspose({
      filters: opts.imageShape.channels,
      kernelSize: KERNEL,
      strides: 2,
      padding: 'same',
      kernelInitializer: init.normal(),
      name: 'g_out',
    }),
    tf.layers.activation({ activation: 'tanh', name: 'g_tanh' }),
  ]);
  return tf.model({ inputs, outputs: image, name: 'generator' });
}

export function buildDcganDiscriminator(opts: BuildOptions): tf.LayersModel {
  const init = new SeededInit(opts.seed, DISCRIMINATOR);
  const { height, width, channels } = opts.imageShape;
  const image = tf.input({ shape: [height, width, channels], name: 'image' });
  const label = takesLabel(opts) ? labelInput(opts.classes) : undefined;
  const layers: tf.layers.Layer[] = [];
  opts.dWidths.forEach((filters, i) => {
    layers.push(
      tf.layers.conv2d({
        filters,
        kernelSize: KERNEL,
        strides: 2,
        padding: 'same',
        kernelInitializer: init.normal(),
        name: `d_down${i + 1}`,
      }),
      tf.layers.leakyReLU({ alpha: 0.2, name: `d_down${i + 1}_lrelu` }),
    );
  });
  if (opts.minibatchStd) layers.push(new MinibatchStd({ name: 'd_minibatch_std' }));
  layers.push(tf.layers.flatten({ name: 'd_flatten' }));
  const outputs = discriminatorHead(chain(image, layers), opts, label, init);
  return tf.model({ inputs: label ? [image, label] : [image], outputs, name: 'discriminator' });
}

export function buildDcgan(opts: BuildOptions): GanModels {
  return {
    generator: buildDcganGenerator(opts),
    discriminator: buildDcganDiscriminator(opts),
    latentDim: opts.latentDim,
    imageShape: opts.imageShape,
    classes: opts.classes,
    auxClassifier: hasClassHead(opts),
  };
}
