// The training set in tensor form: the whole set lives in one [N, H, W, C] float32 tensor
// scaled to [-1, 1] (the range of the generator's tanh output), and batches are gathered from
// it by index — no per-batch conversion from bytes, and one upload to the backend.
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, permutation, Stream } from '../random.js';
import { imageBytes, type ImageSet } from './catalog.js';

export interface Batch {
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
  /** The images' rows in the training set (where the batch came from one). */
  rows?: Int32Array;
}

export class TrainingSet {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** [count, height, width, channels] float32 in [-1, 1]. */
  readonly images: tf.Tensor4D;
  /** [count] int32 class labels. */
  readonly labels: tf.Tensor1D;

  constructor(set: ImageSet) {
    const pixels = imageBytes(set);
    if (set.images.length !== set.count * pixels || set.labels.length !== set.count) {
      throw new Error(
        `TrainingSet: ${set.count} images of ${set.height}×${set.width}×${set.channels} need ${set.count * pixels} ` +
          `pixel bytes and ${set.count} labels; got ${set.images.length} and ${set.labels.length}`,
      );
    }
    this.count = set.count;
    this.height = set.height;
    this.width = set.width;
    this.channels = set.channels;
    // x / 127.5 - 1 via a lookup table: 256 exact values instead of one division per pixel.
    const scale = new Float32Array(256);
    for (let v = 0; v < 256; v++) scale[v] = v / 127.5 - 1;
    const scaled = new Float32Array(set.images.length);
    for (let i = 0; i < scaled.length; i++) scaled[i] = scale[set.images[i]!]!;
    this.images = tf.tensor4d(scaled, [set.count, set.height, set.width, set.channels], 'float32');
    this.labels = tf.tensor1d(Int32Array.from(set.labels), 'int32');
  }

  /**
   * Full batches per epoch. The last incomplete batch is dropped (standard GAN practice): batch
   * norm statistics from a tiny tail batch are noisy, and D and G steps keep a fixed size. The
   * epoch's permutation changes, so no image is dropped every epoch.
   */
  batchesPerEpoch(batchSize: number): number {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError(`batch size must be a positive ` + `integer, got ${batchSize}`);
    return Math.floor(this.count / batchSize);
  }

  /** The image order of one epoch: a permutation drawn from (seed, shuffle, epoch) only. */
  epochOrder(seed: number, epoch: number): Int32Array {
    return permutation(this.count, deriveSeed(seed, Stream.shuffle, epoch));
  }

  /** Batch `batchIndex` of an epoch order; the caller disposes the returned tensors. */
  batch(order: Int32Array, batchIndex: number, batchSize: number): Batch {
    const batches = this.batchesPerEpoch(batchSize);
    if (order.length !== this.count) throw new RangeError(`order has ${order.length} entries for ${this.count} images`);
    if (!Number.isInteger(batchIndex) || batchIndex < 0 || batchIndex >= batches) {
      throw new RangeError(`batch ${batchIndex} out of range: an epoch has ${batches} batches of ${batchSize}`);
    }
    const start = batchIndex * batchSize;
    const rows = order.slice(start, start + batchSize);
    const indices = tf.tensor1d(rows, 'int32');
    try {
      return {
        images: tf.gather(this.images, indices) as tf.Tensor4D,
        labels: tf.gather(this.labels, indices) as tf.Tensor1D,
        rows,
      };
    } finally {
      indices.dispose();
    }
  }

  dispose(): void {
    this.images.dispose();
    this.labels.dispose();
  }
}
