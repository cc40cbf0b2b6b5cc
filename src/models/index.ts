// Model builders by name: the config's model section -> generator + discriminator.
import type { ModelConfig } from '../config.js';
import { buildDcgan, DCGAN_DEFAULT_D, DCGAN_DEFAULT_G } from './dcgan.js';
import { buildMlp, MLP_DEFAULT_D, MLP_DEFAULT_G } from './mlp.js';
import type { GanModels, ImageShape } from './types.js';

export type { GanModels, ImageShape } from './types.js';

const ARCHITECTURES = {
  dcgan: { build: buildDcgan, gWidths: DCGAN_DEFAULT_G, dWidths: DCGAN_DEFAULT_D },
  mlp: { build: buildMlp, gWidths: MLP_DEFAULT_G, dWidths: MLP_DEFAULT_D },
} as const;

/** Builds freshly initialised networks for a model config. */
export function buildModels(model: ModelConfig, imageShape: ImageShape, seed: number): GanModels {
  const arch = ARCHITECTURES[model.arch];
  return arch.build({
    latentDim: model.latent_dim,
    imageShape,
    gWidths: model.g_widths ?? [...arch.gWidths],
    dWidths: model.d_widths ?? [...arch.dWidths],
    seed,
  });
}
