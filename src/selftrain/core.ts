// Pure pieces of `gan selftrain`: pseudo-label selection. No tensors here, so it is unit-tested.
import type { ProbabilityTable } from '../lenet/features.js';

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
