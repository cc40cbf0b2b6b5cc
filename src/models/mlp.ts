// The fully connected GAN of Goodfellow et al. (2014), with the now-usual LeakyReLU(0.2):
// G: z -> [dense -> LeakyReLU]* -> dense H*W*C -> tanh -> reshape
// D: flatten -> [dense -> LeakyReLU]* -> dense 1 (logit)
import * as tf from '@tensorflow/tfjs';
import { DISCRIMINATOR, GENERATOR, SeededInit } from './init.js';
import type { BuildOptions, GanModels } from './types.js';

export const MLP_DEFAULT_G = [256, 512, 1024];
export const MLP_DEFAULT_D = [512, 256];

export function buildMlpGenerator(opts: BuildOptions): tf.LayersModel {
  const init = new SeededInit(opts.seed, GENERATOR);
  const { height, width, channels } = opts.imageShape;
  const layers: tf.layers.Layer[] = [];
  opts.gWidths.forEach((units, i) => {
    layers.push(
      tf.layers.dense({ ...(i === 0 ? { inputShape: [opts.latentDim] } : {}), units, kernelInitializer: init.normal(), name: `g_fc${i + 1}` }),
      tf.layers.leakyReLU({ alpha: 0.2, name: `g_fc${i + 1}_lrelu` }),
    );
  });
  layers.push(
    tf.layers.dense({ units: height * width * channels, activation: 'tanh', kernelInitializer: init.normal(), name: 'g_out' }),
    tf.layers.reshape({ targetShape: [height, width, channels], name: 'g_reshape' }),
  );
  return tf.sequential({ layers, name: 'generator' });
}

export function buildMlpDiscriminator(opts: BuildOptions): tf.LayersModel {
  const init = new SeededInit(opts.seed, DISCRIMINATOR);
  const { height, width, channels } = opts.imageShape;
  const layers: tf.layers.Layer[] = [tf.layers.flatten({ inputShape: [height, width, channels], name: 'd_flatten' })];
  opts.dWidths.forEach((units, i) => {
    layers.push(
      tf.layers.dense({ units, kernelInitializer: init.normal(), name: `d_fc${i + 1}` }),
      tf.layers.leakyReLU({ alpha: 0.2, name: `d_fc${i + 1}_lrelu` }),
    );
  });
  layers.push(tf.layers.dense({ units: 1, kernelInitializer: init.normal(), name: 'd_logit' }));
  return tf.sequential({ layers, name: 'discriminator' });
}

export function buildMlp(opts: BuildOptions): GanModels {
  return {
    generator: buildMlpGenerator(opts),
    discriminator: buildMlpDiscriminator(opts),
    latentDim: opts.latentDim,
    imageShape: opts.imageShape,
  };
}
