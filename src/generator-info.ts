// What a trained generator takes and makes, read from the model itself (not from the config,
// which may have been edited since): latent size, class count, image shape.
import type * as tf from '@tensorflow/tfjs';
import { classCount, isConditional, latentDimOf } from './sampling.js';

export interface GeneratorInfo {
  latentDim: number;
  conditional: boolean;
  /** Width of the one-hot class input; 0 when unconditional. */
  classes: number;
  imageShape: { height: number; width: number; channels: number };
}

export function describeGenerator(generator: tf.LayersModel): GeneratorInfo {
  const [, height, width, channels] = generator.outputs[0]!.shape as number[];
  return {
    latentDim: latentDimOf(generator),
    conditional: isConditional(generator),
    classes: classCount(generator),
    imageShape: { height: height!, width: width!, channels: channels ?? 1 },
  };
}
