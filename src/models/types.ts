// What every architecture provides: a generator (z[, class]) -> image in [-1, 1] and a
// discriminator (image[, class]) -> one logit per image (no sigmoid: the losses work on
// logits for numerical stability).
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
  /** Number of classes for a conditional pair; 0 when unconditional. */
  classes: number;
  /** True for an ACGAN D: outputs [logit, class logits] and takes no label input. */
  auxClassifier: boolean;
}

export interface BuildOptions {
  latentDim: number;
  imageShape: ImageShape;
  gWidths: number[];
  dWidths: number[];
  seed: number;
  /** > 0 builds class-conditional networks. */
  classes: number;
  /** How a conditional D uses the class (model.conditioning). */
  conditioning: 'projection' | 'acgan';
  /** A conditional DCGAN G also takes the class at every batch norm (model.class_norm). */
  classNorm: boolean;
  /** A DCGAN D also sees its batch's standard deviation (model.minibatch_std). */
  minibatchStd: boolean;
  /** The semi-supervised G's output activation (model.g_output). */
  gOutput: 'softplus' | 'sigmoid';
}
