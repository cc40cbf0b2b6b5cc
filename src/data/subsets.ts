// Subsets of a labelled image set: class-balanced draws, held-out splits, picking rows, joining
// parts, and the semi-supervised split that keeps N labels and drops all others. No tensors here.
import { imageBytes, type ImageSet } from './catalog.js';
import { deriveSeed, permutation, Stream } from '../random.js';

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

/**
 * `count` training images outside `labelled`, drawn with the run seed: a semi-supervised run's
 * validation slice, with their labels (for scoring only).
 */
export function validationSlice(set: ImageSet, labelled: ArrayLike<number>, count: number, seed: number): ImageSet {
  const pool = without(
    Int32Array.from({ length: set.count }, (_, i) => i),
    labelled,
  );
  const order = permutation(pool.length, deriveSeed(seed, Stream.validationSplit));
  const rows = Int32Array.from(order.subarray(0, count), (k) => pool[k]!).sort();
  return { ...set, ...pick(set, rows), count, origin: `${set.origin}, ${count} validation images` };
}

/** Indices in `pool` that are not in `taken`. */
export function without(pool: ArrayLike<number>, taken: ArrayLike<number>): Int32Array {
  const drop = new Set(Array.from(taken));
  return Int32Array.from(Array.from(pool).filter((i) => !drop.has(i)));
}

/** Images and labels, uint8 like an ImageSet's. */
export interface LabelledBytes {
  images: Uint8Array;
  labels: Uint8Array;
}

/** The images of `set` at `indices`, with their labels (or `labels` instead). */
export function pick(
  set: LabelledBytes & Pick<ImageSet, 'height' | 'width' | 'channels'>,
  indices: ArrayLike<number>,
  labels?: ArrayLike<number>,
): LabelledBytes {
  const pixels = imageBytes(set);
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
  like: Pick<ImageSet, 'height' | 'width' | 'channels' | 'classes'>,
  origin: string,
): ImageSet {
  const count = parts.reduce((a, p) => a + p.labels.length, 0);
  const pixels = imageBytes(like);
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * pixels);
    labels.set(p.labels, at);
    at += p.labels.length;
  }
  const { height, width, channels, classes } = like;
  return { images, labels, count, height, width, channels, classes, origin };
}

/** The N images of a semi-supervised run that keep their labels. */
export interface LabelledImages extends LabelledBytes {
  count: number;
  height: number;
  width: number;
  channels: number;
  classes: number;
  /** Their rows in the training split. */
  indices: Int32Array;
}

/**
 * The semi-supervised split of a training set: the images at `indices` with their labels, and the
 * whole set with every label gone (set to 0), so that nothing downstream can read one.
 */
export function splitLabels(set: ImageSet, indices: Int32Array): { labelled: LabelledImages; unlabelled: ImageSet } {
  const picked = pick(set, indices);
  return {
    labelled: {
      ...picked,
      count: indices.length,
      height: set.height,
      width: set.width,
      channels: set.channels,
      classes: set.classes.length,
      indices,
    },
    unlabelled: { ...set, labels: new Uint8Array(set.count), origin: `${set.origin}, labels removed` },
  };
}
