// train.lr_decay: constant learning rates, then a linear fall to 0 over the last share of the
// run. Both trainers set the rates from the step alone before each iteration, so a resumed run
// follows the same schedule as an uninterrupted one.
import type * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../config.js';

/** The factor on the configured rates before G update `step + 1` of `totalSteps`. */
export function decayFactor(step: number, totalSteps: number, decay: number): number {
  const start = totalSteps * (1 - decay);
  if (decay <= 0 || step <= start) return 1;
  return Math.max(0, (totalSteps - step) / (totalSteps - start));
}

/** Sets both optimizers' rates for the iteration after `step` G updates. */
export function scheduleLearningRates(
  optimizers: { gOptimizer: tf.AdamOptimizer; dOptimizer: tf.AdamOptimizer },
  train: Pick<TrainConfig, 'lr_g' | 'lr_d' | 'lr_decay'>,
  step: number,
  totalSteps: number,
): void {
  const factor = decayFactor(step, totalSteps, train.lr_decay);
  // tfjs's Adam reads its rate on every update; it has no setter.
  (optimizers.gOptimizer as unknown as { learningRate: number }).learningRate = train.lr_g * factor;
  (optimizers.dOptimizer as unknown as { learningRate: number }).learningRate = train.lr_d * factor;
}
