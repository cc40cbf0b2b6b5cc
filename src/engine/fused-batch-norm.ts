/**
 * tfjs-layers' batch norm in training as two kernels where the engine registers them
 * (GanBatchNormTrain and its gradient, src/engine/kernels/batch-norm-train.ts; webgpu, where every
 * kernel is a GPU dispatch issued from JavaScript). The layer otherwise computes the moments, the
 * normalisation and the moving averages as eleven kernels, and the tape goes back through about
 * thirty. The layer's `call` is wrapped: training calls on the last axis with scale and offset
 * run the two kernels and write the moving averages as the layer does; everything else, and every
 * engine without the kernels, runs tfjs-layers' own code. The gradient kernel has no gradient of
 * its own: a second derivative through batch norm (a penalty on a D with batch norm, which no
 * model here has) would stop with tfjs's "gradient not found" on webgpu.
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, type BatchNormTrainAttrs } from './kernels/batch-norm-train.js';

/** The fields of tfjs-layers' BatchNormalization that its call reads. */
interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}
type Call = (this: BatchNormLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }) => tf.Tensor;

let installed = false;

function registerGradient(): void {
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAIN,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, true, false, false],
    gradFunc: (dys, saved, attrs) => {
      const [x, scale, stats] = saved as tf.Tensor[];
      const dy = Array.isArray(dys) ? dys[0]! : dys;
      const [dx, dScale, dOffset] = tf
        .engine()
        .runKernel(BATCH_NORM_TRAIN_GRAD, { dy, x: x!, scale: scale!, stats: stats! }, attrs) as tf.Tensor[];
      // The moving averages are written, never read by the loss: no gradient flows to them.
      const none = () => tf.zerosLike(scale!);
      return { x: () => dx!, scale: () => dScale!, offset: () => dOffset!, movingMean: none, movingVariance: none };
    },
  });
}

function fusable(layer: BatchNormLayer, x: tf.Tensor): boolean {
  const lastAxis = layer.axis === -1 || layer.axis === x.rank - 1;
  return lastAxis && layer.center && layer.scale && x.rank >= 2 && x.dtype === 'float32';
}

/** Wraps BatchNormalization's call (once per process). */
export function useFusedBatchNorm(): void {
  if (installed) return;
  installed = true;
  registerGradient();
  const prototype = Object.getPrototypeOf(tf.layers.batchNormalization({})) as { call: Call };
  const layersCall = prototype.call;
  prototype.call = function (inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!kwargs?.training || !tf.getKernel(BATCH_NORM_TRAIN, tf.getBackend()) || !fusable(this, x))
      return layersCall.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const attrs: BatchNormTrainAttrs = { epsilon: this.epsilon, momentum: this.momentum };
      const inputsMap = {
        x,
        scale: this.gamma.read(),
        offset: this.beta.read(),
        movingMean: this.movingMean.read(),
        movingVariance: this.movingVariance.read(),
      };
      const [y, , mean, variance] = tf
        .engine()
        .runKernel(BATCH_NORM_TRAIN, inputsMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      this.movingMean.write(mean!);
      this.movingVariance.write(variance!);
      return y!;
    });
  };
}
