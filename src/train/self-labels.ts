// Self-training inside the semi-supervised GAN: every epoch after a warm-up, the unlabelled
// images that D's moving average classifies with high confidence get that class as a label,
// class-balanced (the same number per class: the most confident ones), and D's step adds a
// cross-entropy on those of its unlabelled batch at a lower weight than the real labels'.
// The labels come from D alone: no label of the training set is read.
import * as tf from '@tensorflow/tfjs';
import { discriminate } from '../models/ssgan.js';

const CHUNK = 500;

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

export class SelfLabels {
  /** Per unlabelled row: its self-label, or -1. */
  private readonly table: Int16Array;
  /** Self-labelled images per class at the last refresh. */
  perClass = 0;

  constructor(
    private readonly images: tf.Tensor4D,
    private readonly classes: number,
    private readonly confidence: number,
  ) {
    this.table = new Int16Array(images.shape[0]).fill(-1);
  }

  /** Relabels every unlabelled image with `classifier` (noise off). */
  async refresh(classifier: tf.LayersModel): Promise<void> {
    const n = this.images.shape[0];
    const best = new Float32Array(n);
    const label = new Int32Array(n);
    for (let start = 0; start < n; start += CHUNK) {
      const size = Math.min(CHUNK, n - start);
      const [p, c] = tf.tidy(() => {
        // gather, not slice: a wasm slice reads the whole pool.
        const rows = tf.range(start, start + size, 1, 'int32');
        const probs = tf.softmax(discriminate(classifier, tf.gather(this.images, rows)).logits);
        return [tf.max(probs, 1), tf.argMax(probs, 1)];
      });
      best.set(await p!.data(), start);
      label.set(await (c as tf.Tensor).data(), start);
      tf.dispose([p!, c!]);
    }
    const chosen = chooseSelfLabels(best, label, this.classes, this.confidence);
    this.table.set(chosen.table);
    this.perClass = chosen.perClass;
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

/**
 * When to relabel: at iteration `after`, then at the start of every epoch. A run resumed
 * mid-epoch relabels at once (with the average it resumed with), so it continues close to, not
 * exactly like, an uninterrupted one; resumed at an epoch's end it is exact.
 */
export class SelfLabelSchedule {
  private refreshed = false;

  constructor(
    private readonly labels: SelfLabels,
    private readonly classifier: () => tf.LayersModel,
    private readonly after: number,
    private readonly every: number,
  ) {}

  get active(): boolean {
    return this.refreshed;
  }

  get perClass(): number {
    return this.labels.perClass;
  }

  targets(rows: Int32Array) {
    return this.labels.targets(rows);
  }

  /** Relabels when iteration `step` (updates done so far) is due. */
  async refreshIfDue(step: number): Promise<void> {
    if (step < this.after) return;
    if (this.refreshed && step % this.every !== 0) return;
    await this.labels.refresh(this.classifier());
    this.refreshed = true;
  }
}
