// Drawing images from a generator: seeded latent noise, and a forward pass in inference mode
// (batch norm uses its moving statistics, so one image does not depend on the others drawn
// with it, and `--n 1` works).
import * as tf from '@tensorflow/tfjs';
import type { ImageBatch } from './image.js';

/** Standard-normal latent vectors [count, latentDim] from a seed. */
export function latentNoise(count: number, latentDim: number, seed: number): tf.Tensor2D {
  return tf.randomNormal([count, latentDim], 0, 1, 'float32', seed);
}

/** Runs the generator on `noise` in chunks and returns the pixels on the CPU side. */
export async function generateImages(generator: tf.LayersModel, noise: tf.Tensor2D, chunk = 256): Promise<ImageBatch> {
  const [count] = noise.shape;
  const [, height, width] = generator.outputs[0]!.shape as number[];
  const pixels = new Float32Array(count * height! * width!);
  for (let start = 0; start < count; start += chunk) {
    const size = Math.min(chunk, count - start);
    const images = tf.tidy(() => generator.apply(noise.slice([start, 0], [size, -1]), { training: false }) as tf.Tensor);
    pixels.set(await images.data<'float32'>(), start * height! * width!);
    images.dispose();
  }
  return { pixels, count, height: height!, width: width! };
}
