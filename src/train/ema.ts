// An exponential moving average of a network's weights. Of the generator's (Yazıcı et al. 2019):
// samples from the averaged weights are smoother and usually score better than the raw,
// oscillating G. Of the semi-supervised discriminator's (Polyak averaging, as Salimans et al.
// 2016): the classifier that is kept. Batch-norm moving statistics are averaged along with the
// trainable weights.
import type * as tf from '@tensorflow/tfjs';
import { stockUpdateKernels, type UpdateKernels } from './update-kernels.js';

export class ModelEma {
  constructor(
    /** A network of the same architecture that holds the averaged weights. */
    readonly model: tf.LayersModel,
    private readonly source: tf.LayersModel,
    private readonly decay: number,
    private readonly emaStep: UpdateKernels['emaStep'] = stockUpdateKernels.emaStep,
  ) {
    if (model.weights.length !== source.weights.length) throw new Error('EMA model does not match its network');
  }

  /** Starts the average at the network's current weights. */
  static startingAt(
    copy: tf.LayersModel,
    source: tf.LayersModel,
    decay: number,
    emaStep?: UpdateKernels['emaStep'],
  ): ModelEma {
    copy.setWeights(source.getWeights());
    return new ModelEma(copy, source, decay, emaStep);
  }

  /**
   * The decay used after `step` updates: min(decay, (1 + step) / (10 + step)), as in
   * TensorFlow's ExponentialMovingAverage with num_updates, so early averages are not
   * dominated by the random initial weights.
   */
  static effectiveDecay(decay: number, step: number): number {
    return Math.min(decay, (1 + step) / (10 + step));
  }

  /** ema ← d·ema + (1 − d)·w for every weight, after update number `step`. */
  update(step: number): void {
    this.emaStep(this.model.weights, this.source.weights, ModelEma.effectiveDecay(this.decay, step));
  }
}
