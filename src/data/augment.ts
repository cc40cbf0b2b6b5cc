// Translating images by whole pixels, each image by its own offset, with the background value
// filling what moves in: out = S_y · image · S_xᵀ with 0/1 shift matrices per image, two batched
// matrix products. Exact (a product with one 1 per row copies a pixel), differentiable (the
// gradient reaches whatever made the images), and the same on every engine.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../random.js';

export interface Shifts {
  /** Rows down (positive) or up, per image. */
  dy: Int32Array;
  /** Columns right (positive) or left, per image. */
  dx: Int32Array;
}

/** Offsets drawn uniformly from −max..max in each direction, from `seed`. */
export function randomShifts(count: number, max: number, seed: number): Shifts {
  const random = mulberry32(seed);
  const draw = () => Int32Array.from({ length: count }, () => Math.floor(random() * (2 * max + 1)) - max);
  return { dy: draw(), dx: draw() };
}

/** [n, size, size] matrices with ones at (i, i − shift): row i of the product takes row i − shift. */
function shiftMatrices(shifts: Int32Array, size: number): tf.Tensor3D {
  const values = new Float32Array(shifts.length * size * size);
  shifts.forEach((shift, k) => {
    for (let i = 0; i < size; i++) {
      const from = i - shift;
      if (from >= 0 && from < size) values[k * size * size + i * size + from] = 1;
    }
  });
  return tf.tensor3d(values, [shifts.length, size, size]);
}

/** Each image of [n, H, W, C] moved by its offset; `background` fills the uncovered border. */
export function translate(images: tf.Tensor4D, shifts: Shifts, background = -1): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width, channels] = images.shape;
    // Channels as extra images: [n·C, H, W], each channel moved like its image.
    const perChannel = (s: Int32Array) =>
      Int32Array.from({ length: n * channels }, (_, i) => s[Math.floor(i / channels)]!);
    const planes = tf.reshape(tf.transpose(tf.sub(images, background), [0, 3, 1, 2]), [n * channels, height, width]);
    const rows = tf.matMul(shiftMatrices(perChannel(shifts.dy), height), planes);
    const moved = tf.matMul(rows, shiftMatrices(perChannel(shifts.dx), width), false, true);
    return tf.add(
      tf.transpose(tf.reshape(moved, [n, channels, height, width]), [0, 2, 3, 1]),
      background,
    ) as tf.Tensor4D;
  });
}
