// An exponential moving average of the generator's weights (Yazıcı et al. 2019): samples from
// the averaged weights are smoother and usually score better than the raw, oscillating G.
// Batch-norm moving statistics are averaged along with the trainable weights.
import * as tf from '@tensorflow/tfjs';
import { EMA_UPDATE, type EmaUpdateAttrs } from '../engine/kernels/ema-update.js';

export class GeneratorEma {
  constructor(
    /** A generator of the same architecture that holds the averaged weights. */
    readonly model: tf.LayersModel,
    private readonly source: tf.LayersModel,
    private readonly decay: number,
  ) {
    if (model.weights.length !== source.weights.length) throw new Error('EMA model does not match the generator');
  }

  /** Starts the average at the generator's current weights. */
  static startingAt(copy: tf.LayersModel, source: tf.LayersModel, decay: number): GeneratorEma {
    copy.setWeights(source.getWeights());
    return new GeneratorEma(copy, source, decay);
  }

  /**
   * The decay used after `step` generator updates: min(decay, (1 + step) / (10 + step)), as in
   * TensorFlow's ExponentialMovingAverage with num_updates, so early averages are not
   * dominated by the random initial weights.
   */
  static effectiveDecay(decay: number, step: number): number {
    return Math.min(decay, (1 + step) / (10 + step));
  }

  /**
   * ema ← d·ema + (1 − d)·w for every weight, after generator update number `step`: one
   * GanEmaUpdate kernel per weight where the engine has it (cpu, wasm), else tfjs's ops; the
   * same float32 results either way.
   */
  update(step: number): void {
    const d = GeneratorEma.effectiveDecay(this.decay, step);
    const attrs = { keep: d, take: 1 - d } satisfies EmaUpdateAttrs as unknown as tf.NamedAttrMap;
    const fused = tf.getKernel(EMA_UPDATE, tf.getBackend()) !== undefined;
    tf.tidy(() => {
      // The stock path's two factors as tensors once per update, not once per weight.
      const [keep, take] = fused ? [] : [tf.scalar(d), tf.scalar(1 - d)];
      const blend = fused
        ? (avg: tf.Tensor, w: tf.Tensor) => tf.engine().runKernel(EMA_UPDATE, { avg, w }, attrs) as tf.Tensor
        : (avg: tf.Tensor, w: tf.Tensor) => tf.add(tf.mul(avg, keep!), tf.mul(w, take!));
      const target = this.model.weights;
      this.source.weights.forEach((w, i) => target[i]!.write(blend(target[i]!.read(), w.read())));
    });
  }
}
