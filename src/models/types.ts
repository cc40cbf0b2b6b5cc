// What every architecture provides: a generator z -> image in [-1, 1] and a discriminator
// image -> one logit per image (no sigmoid: the losses work on logits for stability).
import type * as tf from '@tensorflow/tfjs';

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

export interface GanModels {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  latentDim: number;
  imageShape: ImageShape;
}

export interface BuildOptions {
  latentDim: number;
  imageShape: ImageShape;
  gWidths: number[];
  dWidths: number[];
  seed: number;
}
