// Pure pieces of `gan selftrain`: class-balanced subsets, train/validation splits, pseudo-label
// selection, image-set assembly and mean ± std. No tensors here, so all of it is unit-tested.
import type { ImageSet } from '../data/index.js';
import { permutation } from '../random.js';
import type { ProbabilityTable } from '../classifier/features.js';

/**
 * `perClass` indices of each class 0..classes-1 out of `candidates` (default: every index of
 * `labels`), drawn by a permutation from `seed`; returned sorted by class, then draw order.
 * Throws a RangeError naming the class when one has too few images.
 */
export function balancedSubset(
  labels: ArrayLike<number>,
  classes: number,
  perClass: number,
  seed: number,
  candidates?: ArrayLike<number>,
): Int32Array {
  const pool = candidates ?? Int32Array.from({ length: labels.length }, (_, i) => i);
  const order = permutation(pool.length, seed);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let k = 0; k < order.length; k++) {
    const index = pool[order[k]!]!;
    const c = labels[index]!;
    if (c >= 0 && c < classes && byClass[c]!.length < perClass) byClass[c]!.push(index);
  }
  const short = byClass.findIndex((list) => list.length < perClass);
  if (short >= 0)
    throw new RangeError(`class ${short} has only ${byClass[short]!.length} images to choose from, ${perClass} needed`);
  return Int32Array.from(byClass.flat());
}

/** A seeded split of 0..count-1 into `validation` held-out indices and the rest (both sorted). */
export function holdOut(count: number, validation: number, seed: number): { validation: Int32Array; rest: Int32Array } {
  if (validation < 0 || validation >= count) throw new RangeError(`cannot hold out ${validation} of ${count} images`);
  const order = permutation(count, seed);
  const sorted = (a: Int32Array) => a.slice().sort();
  return { validation: sorted(order.subarray(0, validation)), rest: sorted(order.subarray(validation)) };
}

/** Indices in `pool` that are not in `taken`. */
export function without(pool: ArrayLike<number>, taken: ArrayLike<number>): Int32Array {
  const drop = new Set(Array.from(taken));
  return Int32Array.from(Array.from(pool).filter((i) => !drop.has(i)));
}

export interface PseudoLabels {
  /** Rows whose top probability is ≥ the threshold, in row order. */
  indices: Int32Array;
  /** Their predicted class (the lowest index on ties). */
  labels: Int32Array;
  /** Their top probability. */
  confidence: Float64Array;
}

/** Keeps the rows of a probability table the classifier is at least `threshold` sure about. */
export function selectConfident({ probs, count, classes }: ProbabilityTable, threshold: number): PseudoLabels {
  if (probs.length !== count * classes)
    throw new RangeError(
      `probability table: ${count} × ${classes} needs ${count * classes} values, got ${probs.length}`,
    );
  const indices: number[] = [];
  const labels: number[] = [];
  const confidence: number[] = [];
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
    const p = probs[i * classes + best]!;
    if (p >= threshold) {
      indices.push(i);
      labels.push(best);
      confidence.push(p);
    }
  }
  return {
    indices: Int32Array.from(indices),
    labels: Int32Array.from(labels),
    confidence: Float64Array.from(confidence),
  };
}

/** Images and labels, uint8 like an ImageSet's. */
export interface LabelledBytes {
  images: Uint8Array;
  labels: Uint8Array;
}

/** The images of `set` at `indices`, with their labels (or `labels` instead). */
export function pick(
  set: LabelledBytes & { height: number; width: number },
  indices: ArrayLike<number>,
  labels?: ArrayLike<number>,
): LabelledBytes {
  const pixels = set.height * set.width;
  const images = new Uint8Array(indices.length * pixels);
  const out = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    images.set(set.images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
    out[k] = labels ? labels[k]! : set.labels[i]!;
  }
  return { images, labels: out };
}

/** One ImageSet from several parts, in order. */
export function concatSets(
  parts: LabelledBytes[],
  like: Pick<ImageSet, 'height' | 'width' | 'classes'>,
  origin: string,
): ImageSet {
  const count = parts.reduce((a, p) => a + p.labels.length, 0);
  const images = new Uint8Array(count * like.height * like.width);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * like.height * like.width);
    labels.set(p.labels, at);
    at += p.labels.length;
  }
  return { images, labels, count, height: like.height, width: like.width, classes: like.classes, origin };
}
