// The fully connected GAN of Goodfellow et al. (2014), with the now-usual LeakyReLU(0.2):
// G: z -> [dense -> LeakyReLU]* -> dense H*W*C -> tanh -> reshape
// D: flatten -> [dense -> LeakyReLU]* -> dense 1 (logit)
import * as tf from '@tensorflow/tfjs';
import { chain, discriminatorHead, generatorInputs, hasClassHead, labelInput, takesLabel } from './conditioning.js';
import { DISCRIMINATOR, GENERATOR, SeededInit } from './init.js';
import type { BuildOptions, GanModels } from './types.js';

export const MLP_DEFAULT_G = [256, 512, 1024];
export const MLP_DEFAULT_D = [512, 256];

function denseStack(prefix: string, widths: number[], init: SeededInit): tf.layers.Layer[] {
  return widths.flatMap((units, i) => [
    tf.layers.dense({ units, kernelInitializer: init.normal(), name: `${prefix}_fc${i + 1}` }),
    tf.layers.leakyReLU({ alpha: 0.2, name: `${prefix}_fc${i + 1}_lrelu` }),
  ]);
}

export function buildMlpGenerator(opts: BuildOptions): tf.LayersModel {
  const init = new SeededInit(opts.seed, GENERATOR);
  const { height, width, channels } = opts.imageShape;
  const { inputs, features } = generatorInputs(opts.latentDim, opts.classes, init);
  const layers = [
    ...denseStack('g', opts.gWidths, init),
    tf.layers.dense({
      units: height * width * channels,
      activation: 'tanh',
      kernelInitializer: init.normal(),
      name: 'g_out',
    }),
    tf.layers.reshape({ targetShape: [height, width, channels], name: 'g_reshape' }),
  ];
  return tf.model({ inputs, outputs: chain(features, layers), name: 'generator' });
}

export function buildMlpDiscriminator(opts: BuildOptions): tf.LayersModel {
  const init = new SeededInit(opts.seed, DISCRIMINATOR);
  const { height, width, channels } = opts.imageShape;
  const image = tf.input({ shape: [height, width, channels], name: 'image' });
  const label = takesLabel(opts) ? labelInput(opts.classes) : undefined;
  const features = chain(image, [tf.layers.flatten({ name: 'd_flatten' }), ...denseStack('d', opts.dWidths, init)]);
  const outputs = discriminatorHead(features, opts, label, init);
  return tf.model({ inputs: label ? [image, label] : [image], outputs, name: 'discriminator' });
}

export function buildMlp(opts: BuildOptions): GanModels {
  return {
    generator: buildMlpGenerator(opts),
    discriminator: buildMlpDiscriminator(opts),
    latentDim: opts.latentDim,
    imageShape: opts.imageShape,
    classes: opts.classes,
    auxClassifier: hasClassHead(opts),
  };
}
