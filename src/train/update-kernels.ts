// What a training step computes besides its gradients — Adam's and the generator average's
// updates, and the semi-supervised D's Gaussian noise — as plain tfjs. An engine may hand the
// trainer faster versions that compute the same float32 numbers (one kernel per variable or layer
// instead of several); the trainer takes them as these functions and never knows which engine runs.
import * as tf from '@tensorflow/tfjs';
import { addNormalNoise, type AddNoise } from '../ssgan/model.js';
import { stockScaleShift, type ScaleShift } from '../ssgan/weight-norm.js';

export interface UpdateKernels {
  /** An Adam optimizer for one network. */
  createAdam(learningRate: number, beta1: number, beta2: number): tf.AdamOptimizer;
  /** averages[i] ← keep·averages[i] + (1 − keep)·weights[i], for every i. */
  emaStep(averages: tf.LayerVariable[], weights: tf.LayerVariable[], keep: number): void;
  /** x + N(0, σ²) noise drawn from `seed`. */
  addNoise: AddNoise;
  /** A weight-normalised layer's act(p ⊙ scale + bias) from its product p. */
  scaleShift: ScaleShift;
  /**
   * Whether D scores the real and the fake batch in one pass where it can (no batch statistics):
   * fewer, larger kernels, which pays where each kernel is a GPU dispatch and not on the CPU.
   */
  oneDPass: boolean;
}

export const stockUpdateKernels: UpdateKernels = {
  createAdam: (learningRate, beta1, beta2) => new tf.AdamOptimizer(learningRate, beta1, beta2),
  emaStep(averages, weights, keep) {
    tf.tidy(() => {
      // The two factors as tensors once per update, not once per weight.
      const [k, t] = [tf.scalar(keep), tf.scalar(1 - keep)];
      weights.forEach((w, i) => averages[i]!.write(tf.add(tf.mul(averages[i]!.read(), k), tf.mul(w.read(), t))));
    });
  },
  addNoise: addNormalNoise,
  scaleShift: stockScaleShift,
  oneDPass: false,
};

/** The stock updates with whichever faster ones an engine provides. */
export function withUpdates(faster: Partial<UpdateKernels> = {}): UpdateKernels {
  return { ...stockUpdateKernels, ...faster };
}
