// Model builders by name: the config's model section -> generator + discriminator.
import type { ModelConfig } from '../config.js';
import type * as tf from '@tensorflow/tfjs';
import { buildDcgan, buildDcganGenerator, DCGAN_DEFAULT_D, DCGAN_DEFAULT_G } from './dcgan.js';
import { buildMlp, buildMlpGenerator, MLP_DEFAULT_D, MLP_DEFAULT_G } from './mlp.js';
import { buildSsgan, buildSsganGenerator, SSGAN_DEFAULT_D, SSGAN_DEFAULT_G } from '../ssgan/model.js';
import type { BuildOptions, GanModels, ImageShape } from './types.js';

export type { GanModels, ImageShape } from './types.js';

// `work`: what training the networks mostly computes (it decides where the engine's threads go).
const ARCHITECTURES = {
  dcgan: {
    build: buildDcgan,
    generator: buildDcganGenerator,
    gWidths: DCGAN_DEFAULT_G,
    dWidths: DCGAN_DEFAULT_D,
    work: 'conv',
  },
  mlp: { build: buildMlp, generator: buildMlpGenerator, gWidths: MLP_DEFAULT_G, dWidths: MLP_DEFAULT_D, work: 'dense' },
  ssgan: {
    build: buildSsgan,
    generator: buildSsganGenerator,
    gWidths: SSGAN_DEFAULT_G,
    dWidths: SSGAN_DEFAULT_D,
    work: 'dense',
  },
} as const;

/** Whether an architecture is mostly matrix products (`dense`) or convolutions (`conv`). */
export function workloadOf(arch: ModelConfig['arch']): 'dense' | 'conv' {
  return ARCHITECTURES[arch].work;
}

/**
 * Builds freshly initialised networks for a model config. `classes` is the dataset's class
 * count; it is used only when `model.conditional` is on.
 */
export function buildModels(model: ModelConfig, imageShape: ImageShape, seed: number, classes = 10): GanModels {
  return ARCHITECTURES[model.arch].build(buildOptions(model, imageShape, seed, classes));
}

/** Just a discriminator of the configured architecture (to hold a semi-supervised D's average). */
export function buildDiscriminator(
  model: ModelConfig,
  imageShape: ImageShape,
  seed: number,
  classes = 10,
): tf.LayersModel {
  return ARCHITECTURES[model.arch].build(buildOptions(model, imageShape, seed, classes)).discriminator;
}

/** Just a generator of the configured architecture (e.g. to hold the EMA weights). */
export function buildGenerator(model: ModelConfig, imageShape: ImageShape, seed: number, classes = 10): tf.LayersModel {
  return ARCHITECTURES[model.arch].generator(buildOptions(model, imageShape, seed, classes));
}

function buildOptions(model: ModelConfig, imageShape: ImageShape, seed: number, classes: number): BuildOptions {
  const arch = ARCHITECTURES[model.arch];
  return {
    latentDim: model.latent_dim,
    imageShape,
    gWidths: model.g_widths ?? [...arch.gWidths],
    dWidths: model.d_widths ?? [...arch.dWidths],
    seed,
    // A semi-supervised D outputs one logit per class even though G is unconditional.
    classes: model.conditional || model.arch === 'ssgan' ? classes : 0,
    conditioning: model.conditioning,
    classNorm: model.class_norm,
    minibatchStd: model.minibatch_std,
    gOutput: model.g_output,
  };
}

/** Layers whose output for one image depends on the other images of its batch. */
const BATCH_STATISTICS = new Set(['BatchNormalization', 'MinibatchStd']);

/**
 * Whether a network's output for one image depends on the rest of its batch (batch norm in
 * training, minibatch standard deviation). A D without them scores real and fake images the
 * same in one batch as in two.
 */
export function usesBatchStatistics(model: tf.LayersModel): boolean {
  return model.layers.some((layer) => BATCH_STATISTICS.has(layer.getClassName()));
}
