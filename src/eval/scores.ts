// Scores computed from the evaluation classifier's class probabilities p(y|x), one row per image.

/** A table of class probabilities: `count` rows of `classes` values, row-major, rows sum to 1. */
export interface ProbabilityTable {
  probs: Float64Array;
  count: number;
  classes: number;
}

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

/** The most probable class of each row (the lowest index on ties). */
export function predictedClasses({ probs, count, classes }: ProbabilityTable): Int32Array {
  checkTable(probs, count, classes);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
    out[i] = best;
  }
  return out;
}

export interface Coverage {
  /** How many images were predicted as each class. */
  histogram: number[];
  /** max_c |count_c / n − 1 / classes|: 0 for a perfectly even spread, up to 1 − 1/classes when one class takes everything. */
  maxDeviation: number;
  /** Classes never predicted (a sign of mode collapse). */
  missing: number[];
}

/** Class coverage of a set of predictions against the uniform spread a balanced dataset has. */
export function classCoverage(predicted: ArrayLike<number>, classes: number): Coverage {
  const histogram = new Array<number>(classes).fill(0);
  for (let i = 0; i < predicted.length; i++) {
    const c = predicted[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes)
      throw new RangeError(`classCoverage: class ${c} at ${i} is outside 0..${classes - 1}`);
    histogram[c]! += 1;
  }
  const n = predicted.length;
  const maxDeviation = n === 0 ? 0 : Math.max(...histogram.map((h) => Math.abs(h / n - 1 / classes)));
  return { histogram, maxDeviation, missing: histogram.flatMap((h, c) => (h === 0 ? [c] : [])) };
}

/** Fraction of predictions equal to the labels. */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predicted.length !== labels.length)
    throw new RangeError(`accuracy: ${predicted.length} predictions for ${labels.length} labels`);
  if (labels.length === 0) return 0;
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right += 1;
  return right / labels.length;
}

function checkTable(probs: Float64Array, count: number, classes: number): void {
  if (probs.length !== count * classes)
    throw new RangeError(
      `probability table: ${count} × ${classes} needs ${count * classes} values, got ${probs.length}`,
    );
  if (count === 0) throw new RangeError('probability table: no rows');
}
