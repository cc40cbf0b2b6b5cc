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
    const planes = tf.reshape(tf.transpose(images, [0, 3, 1, 2]), [n * channels, height, width]);
    const rows = tf.matMul(shiftMatrices(perChannel(shifts.dy), height), planes);
    const moved = tf.matMul(rows, shiftMatrices(perChannel(shifts.dx), width), false, true);
    // The products leave 0 where nothing moved in; adding the background there (and exactly 0
    // elsewhere) keeps every moved pixel bit-exact.
    const border = new Float32Array(n * channels * height * width);
    for (let k = 0; k < n * channels; k++) {
      const [dy, dx] = [shifts.dy[Math.floor(k / channels)]!, shifts.dx[Math.floor(k / channels)]!];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const inside = y - dy >= 0 && y - dy < height && x - dx >= 0 && x - dx < width;
          if (!inside) border[(k * height + y) * width + x] = background;
        }
      }
    }
    const filled = tf.add(moved, tf.tensor3d(border, [n * channels, height, width]));
    return tf.transpose(tf.reshape(filled, [n, channels, height, width]), [0, 2, 3, 1]) as tf.Tensor4D;
  });
}

/** Label-preserving random affine maps: rotation, isotropic scale and a continuous shift. */
export interface AffineRange {
  /** Rotation by up to ±degrees. */
  degrees: number;
  /** Scale factor in [1 − scale, 1 + scale]. */
  scale: number;
  /** Shift by up to ±shift pixels in each direction (continuous). */
  shift: number;
}

/**
 * One random map per image about the image centre, as the [n, 8] projective rows
 * tf.image.transform takes (each maps an output pixel to the input point it samples).
 */
export function randomAffine(count: number, height: number, width: number, range: AffineRange, seed: number) {
  const random = mulberry32(seed);
  const uniform = (max: number) => (2 * random() - 1) * max;
  const [cy, cx] = [(height - 1) / 2, (width - 1) / 2];
  const rows = new Float32Array(count * 8);
  for (let k = 0; k < count; k++) {
    const angle = (uniform(range.degrees) * Math.PI) / 180;
    const s = 1 + uniform(range.scale);
    const [tx, ty] = [uniform(range.shift), uniform(range.shift)];
    // Inverse map: output (x, y) samples the input at R(−angle)·((x, y) − centre − t)/s + centre.
    const [cos, sin] = [Math.cos(angle) / s, Math.sin(angle) / s];
    const [ox, oy] = [cx + tx, cy + ty];
    rows.set([cos, sin, cx - cos * ox - sin * oy, -sin, cos, cy + sin * ox - cos * oy, 0, 0], k * 8);
  }
  return tf.tensor2d(rows, [count, 8]);
}

/** Images under random affine maps (bilinear sampling; the background fills what comes in). */
export function affine(images: tf.Tensor4D, range: AffineRange, seed: number, background = -1): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width] = images.shape;
    return tf.image.transform(images, randomAffine(n, height, width, range, seed), 'bilinear', 'constant', background);
  });
}

/**
 * Differentiable augmentation (DiffAugment, Zhao et al. 2020): every image D sees — real or
 * generated, in D's steps and in G's — is, with probability `p` each, translated by up to
 * ±`translate` pixels and has a `cutout`-pixel square (at a random centre) set to the
 * background. D then never sees an unaugmented image, so it cannot memorise a small training
 * set, while G's gradient passes through the same operations to its images.
 */
export interface AugmentPolicy {
  p: number;
  translate: number;
  cutout: number;
}

/** Training sets up to this size are always augmented under `train.augment: auto`… */
export const AUTO_FULL_BELOW = 20_000;
/** …and from this size never. */
export const AUTO_NONE_FROM = 60_000;

/** DiffAugment's rule of thumb as a default: the smaller the training set, the more augmentation. */
export function autoAugmentProbability(trainingImages: number): number {
  return Math.min(1, Math.max(0, (AUTO_NONE_FROM - trainingImages) / (AUTO_NONE_FROM - AUTO_FULL_BELOW)));
}

/** [n, H, W, 1] masks: 0 on each chosen image's cutout square, 1 elsewhere. */
function cutoutMasks(n: number, height: number, width: number, size: number, chosen: boolean[], random: () => number) {
  const values = new Float32Array(n * height * width).fill(1);
  for (let k = 0; k < n; k++) {
    // Centres are drawn for every image so that p changes which images are cut, not where.
    const cy = Math.floor(random() * height);
    const cx = Math.floor(random() * width);
    if (!chosen[k]) continue;
    const [top, left] = [cy - Math.floor(size / 2), cx - Math.floor(size / 2)];
    for (let y = Math.max(0, top); y < Math.min(height, top + size); y++) {
      values.fill(
        0,
        k * height * width + y * width + Math.max(0, left),
        k * height * width + y * width + Math.min(width, left + size),
      );
    }
  }
  return tf.tensor4d(values, [n, height, width, 1]);
}

/** `images` augmented under `policy` with draws from `seed`; the identity when p = 0. */
export function diffAugment(images: tf.Tensor4D, policy: AugmentPolicy, seed: number, background = -1): tf.Tensor4D {
  if (policy.p <= 0) return images;
  return tf.tidy(() => {
    const [n, height, width] = images.shape;
    const random = mulberry32(seed);
    const chosen = Array.from({ length: n }, () => random() < policy.p);
    let out = images;
    if (policy.translate > 0) {
      const shifts = randomShifts(n, policy.translate, Math.floor(random() * 2 ** 32));
      chosen.forEach((yes, k) => {
        if (!yes) shifts.dy[k] = shifts.dx[k] = 0;
      });
      out = translate(out, shifts, background);
    }
    if (policy.cutout > 0) {
      const mask = cutoutMasks(n, height, width, policy.cutout, chosen, random);
      // x·1 + 0 inside, x·0 + background on the square: kept pixels stay bit-exact.
      out = tf.add(tf.mul(out, mask), tf.mul(tf.sub(1, mask), background)) as tf.Tensor4D;
    }
    return out;
  });
}
