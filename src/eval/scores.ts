// Scores computed from the evaluation classifier's class probabilities p(y|x), one row per image.
import { checkTable, type ProbabilityTable } from '../lenet/features.js';

/**
 * The classifier score (the MNIST analogue of the Inception Score; TF-GAN's mnist_score):
 * exp(E_x[KL(p(y|x) ‖ p(y))]) with p(y) the mean of the rows. It is high when each image is
 * classified confidently AND the classes are used evenly; its maximum is the number of classes.
 * 0 · log 0 is taken as 0.
 */
export function classifierScore({ probs, count, classes }: ProbabilityTable): number {
  checkTable(probs, count, classes);
  const marginal = new Float64Array(classes);
  for (let i = 0; i < count; i++) for (let c = 0; c < classes; c++) marginal[c]! += probs[i * classes + c]!;
  for (let c = 0; c < classes; c++) marginal[c]! /= count;
  let kl = 0;
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < classes; c++) {
      const p = probs[i * classes + c]!;
      if (p > 0) kl += p * (Math.log(p) - Math.log(marginal[c]!));
    }
  }
  return Math.exp(kl / count);
}

export interface Coverage {
  /** How many images were predicted as each class. */
  histogram: number[];
  /**
   * max_c |count_c / n − 1 / classes|: 0 for a perfectly even spread, up to 1 − 1/classes when one
   * class takes everything.
   */
  maxDeviation: number;
  /** Classes never predicted (a sign of mode collapse). */
  missing: number[];
}

/** How many of `labels` are each class 0..classes-1. */
export function classHistogram(labels: ArrayLike<number>, classes: number): number[] {
  const histogram = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes)
      throw new RangeError(`classHistogram: class ${c} at ${i} is outside 0..${classes - 1}`);
    histogram[c]! += 1;
  }
  return histogram;
}

/** Class coverage of a set of predictions against the uniform spread a balanced dataset has. */
export function classCoverage(predicted: ArrayLike<number>, classes: number): Coverage {
  const histogram = classHistogram(predicted, classes);
  const n = predicted.length;
  const maxDeviation = n === 0 ? 0 : Math.max(...histogram.map((h) => Math.abs(h / n - 1 / classes)));
  return { histogram, maxDeviation, missing: histogram.flatMap((h, c) => (h === 0 ? [c] : [])) };
}
