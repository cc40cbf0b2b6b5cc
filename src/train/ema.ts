// An exponential moving average of the generator's weights (Yazıcı et al. 2019): samples from
// the averaged weights are smoother and usually score better than the raw, oscillating G.
// Batch-norm moving statistics are averaged along with the trainable weights.
import type * as tf from '@tensorflow/tfjs';
import { stockUpdateKernels, type UpdateKernels } from './update-kernels.js';

export class GeneratorEma {
  constructor(
    /** A generator of the same architecture that holds the averaged weights. */
    readonly model: tf.LayersModel,
    private readonly source: tf.LayersModel,
    private readonly decay: number,
    private readonly emaStep: UpdateKernels['emaStep'] = stockUpdateKernels.emaStep,
  ) {
    if (model.weights.length !== source.weights.length) throw new Error('EMA model does not match the generator');
  }

  /** Starts the average at the generator's current weights. */
  static startingAt(
    copy: tf.LayersModel,
    source: tf.LayersModel,
    decay: number,
    emaStep?: UpdateKernels['emaStep'],
  ): GeneratorEma {
    copy.setWeights(source.getWeights());
    return new GeneratorEma(copy, source, decay, emaStep);
  }

  /**
   * The decay used after `step` generator updates: min(decay, (1 + step) / (10 + step)), as in
   * TensorFlow's ExponentialMovingAverage with num_updates, so early averages are not
   * dominated by the random initial weights.
   */
  static effectiveDecay(decay: number, step: number): number {
    return Math.min(decay, (1 + step) / (10 + step));
  }

  /** ema ← d·ema + (1 − d)·w for every weight, after generator update number `step`. */
  update(step: number): void {
    this.emaStep(this.model.weights, this.source.weights, GeneratorEma.effectiveDecay(this.decay, step));
  }
}
