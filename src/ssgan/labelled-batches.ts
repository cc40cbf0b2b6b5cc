// The N labelled images as D sees them: a batch per D update, walked through a fresh permutation
// of the N on every pass, each image moved at random as ssgan.labelled_* ask. The rows and the
// moves are functions of the run seed and the D update, so a resumed run sees the same batches.
import * as tf from '@tensorflow/tfjs';
import type { SsganConfig } from '../config.js';
import { affine, randomShifts, translate } from '../data/augment.js';
import type { LabelledImages } from '../data/subsets.js';
import { deriveSeed, permutation, Stream } from '../random.js';

export interface LabelledMoves {
  /** ±pixels of a random whole-pixel shift (continuous when rotating or scaling). */
  shift: number;
  /** ±degrees of a random rotation. */
  degrees: number;
  /** A random scale in [1 − scale, 1 + scale]. */
  scale: number;
}

/** The moves ssgan.labelled_* ask for. */
export function labelledMoves(ssgan: SsganConfig): LabelledMoves {
  return { shift: ssgan.labelled_shift, degrees: ssgan.labelled_rotate, scale: ssgan.labelled_scale };
}

/** Rows `count` positions into a stream that walks a new permutation of `n` rows per pass. */
export function streamRows(n: number, seed: number, first: number, count: number): Int32Array {
  const rows = new Int32Array(count);
  let pass = -1;
  let order: Int32Array = new Int32Array(0);
  for (let k = 0; k < count; k++) {
    const position = first + k;
    if (Math.floor(position / n) !== pass) {
      pass = Math.floor(position / n);
      order = permutation(n, deriveSeed(seed, pass));
    }
    rows[k] = order[position % n]!;
  }
  return rows;
}

export class LabelledBatches {
  readonly count: number;
  readonly classes: number;
  /** [N, H, W, C] in [-1, 1], and the labels one-hot. */
  private readonly images: tf.Tensor4D;
  private readonly oneHot: tf.Tensor2D;

  constructor(
    labelled: LabelledImages,
    private readonly moves: LabelledMoves,
    private readonly seed: number,
  ) {
    const { images, count, height, width, channels } = labelled;
    this.count = count;
    this.classes = labelled.classes;
    this.images = tf.tidy(() =>
      tf.sub(tf.div(tf.tensor4d(Float32Array.from(images), [count, height, width, channels]), 127.5), 1),
    );
    const labels = tf.tensor1d(Int32Array.from(labelled.labels), 'int32');
    this.oneHot = tf.tidy(() => tf.oneHot(labels, labelled.classes).toFloat() as tf.Tensor2D);
    labels.dispose();
  }

  /** The batch of D update `dStep` (from 1) and its one-hot labels. */
  batch(dStep: number, size: number): { images: tf.Tensor4D; oneHot: tf.Tensor2D } {
    return tf.tidy(() => {
      const rows = streamRows(this.count, deriveSeed(this.seed, Stream.labelledOrder), (dStep - 1) * size, size);
      const indices = tf.tensor1d(rows, 'int32');
      const images = tf.gather(this.images, indices) as tf.Tensor4D;
      const { shift, degrees, scale } = this.moves;
      const seed = deriveSeed(this.seed, Stream.labelledShift, dStep);
      return {
        images:
          degrees > 0 || scale > 0
            ? affine(images, { degrees, scale, shift }, seed)
            : shift > 0
              ? translate(images, randomShifts(size, shift, seed))
              : images,
        oneHot: tf.gather(this.oneHot, indices) as tf.Tensor2D,
      };
    });
  }

  dispose(): void {
    this.images.dispose();
    this.oneHot.dispose();
  }
}
