// Self-training inside the semi-supervised GAN: every epoch after a warm-up, the unlabelled
// images that D's moving average classifies with high confidence get that class as a label,
// class-balanced (the same number per class: the most confident ones), and D's step adds a
// cross-entropy on those of its unlabelled batch at a lower weight than the real labels'.
// The labels come from D alone: no label of the training set is read.
import * as tf from '@tensorflow/tfjs';
import { predictClasses } from './model.js';

/**
 * Per image, its class when it is among the `perClass` most confident predictions of that class
 * at `confidence` or more, else -1; `perClass` is the smallest class's count, so every class gets
 * as many.
 */
export function chooseSelfLabels(
  confidence: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
  threshold: number,
): { table: Int16Array; perClass: number } {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < confidence.length; i++) if (confidence[i]! >= threshold) byClass[predicted[i]!]!.push(i);
  const perClass = Math.min(...byClass.map((rows) => rows.length));
  const table = new Int16Array(confidence.length).fill(-1);
  byClass.forEach((rows, c) => {
    rows.sort((a, b) => confidence[b]! - confidence[a]! || a - b);
    for (const row of rows.slice(0, perClass)) table[row] = c;
  });
  return { table, perClass };
}

/**
 * The self-labels of the unlabelled images, relabelled at iteration `after` and then at the start
 * of every epoch. A run resumed mid-epoch relabels at once (with the average it resumed with), so
 * it continues close to, not exactly like, an uninterrupted one; resumed at an epoch's end it is
 * exact.
 */
export class SelfLabels {
  /** Per unlabelled row: its self-label, or -1. */
  private readonly table: Int16Array;
  /** Self-labelled images per class at the last refresh. */
  perClass = 0;
  /** Whether a refresh has happened (before it, no image has a self-label). */
  active = false;

  constructor(
    private readonly images: tf.Tensor4D,
    private readonly classes: number,
    private readonly confidence: number,
    private readonly classifier: () => tf.LayersModel,
    private readonly after: number,
    private readonly every: number,
  ) {
    this.table = new Int16Array(images.shape[0]).fill(-1);
  }

  /** Relabels every unlabelled image when iteration `step` (updates done so far) is due. */
  async refreshIfDue(step: number): Promise<void> {
    if (step < this.after || (this.active && step % this.every !== 0)) return;
    const { classes, confidence } = await predictClasses(this.classifier(), this.images);
    const chosen = chooseSelfLabels(confidence, classes, this.classes, this.confidence);
    this.table.set(chosen.table);
    this.perClass = chosen.perClass;
    this.active = true;
  }

  /** One-hot self-labels of a batch's rows and the mask of those that have one. */
  targets(rows: Int32Array): { oneHot: tf.Tensor2D; mask: tf.Tensor1D } {
    const oneHot = new Float32Array(rows.length * this.classes);
    const mask = new Float32Array(rows.length);
    rows.forEach((row, k) => {
      const c = this.table[row]!;
      if (c < 0) return;
      oneHot[k * this.classes + c] = 1;
      mask[k] = 1;
    });
    return { oneHot: tf.tensor2d(oneHot, [rows.length, this.classes]), mask: tf.tensor1d(mask) };
  }
}
