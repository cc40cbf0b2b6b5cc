// This engine's versions of the trainer's work outside its gradients (src/train/update-kernels.ts):
// Adam and the generator-average step as one kernel per variable (GanAdamUpdate,
// GanEmaUpdate), D's Gaussian noise as one kernel per layer (GanAddNormalNoise) and a
// weight-normalised layer's scale, bias and ReLU as one (GanScaleShift), where the
// active backend registers ours, tfjs's ops where it does not — bit-identical either way. The
// check is made per call, so a benchmark may switch the kernels off and on under a running trainer.
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer } from './fused-adam.js';
import { normalArray, normalStreamState } from '../random.js';
import { ADD_NORMAL_NOISE, type AddNormalNoiseAttrs } from './kernels/add-normal-noise.js';
import { EMA_UPDATE, type EmaUpdateAttrs } from './kernels/ema-update.js';
import { EMA_UPDATE_PACKED, numbered, type EmaUpdatePackedAttrs } from './kernels/packed-updates.js';
import { SCALE_SHIFT, type ScaleShiftAttrs } from './kernels/scale-shift.js';

/** The shape of the trainer's UpdateKernels (structural: the engine imports nothing above it). */
export interface EngineUpdates {
  createAdam: (learningRate: number, beta1: number, beta2: number) => tf.AdamOptimizer;
  emaStep: (averages: tf.LayerVariable[], weights: tf.LayerVariable[], keep: number) => void;
  addNoise: (x: tf.Tensor, sigma: number, seed: number) => tf.Tensor;
  scaleShift: (p: tf.Tensor, scale: tf.Tensor1D, bias: tf.Tensor1D, relu: boolean) => tf.Tensor;
  oneDPass: boolean;
}

function emaStep(averages: tf.LayerVariable[], weights: tf.LayerVariable[], keep: number): void {
  const backend = tf.getBackend();
  if (tf.getKernel(EMA_UPDATE_PACKED, backend) !== undefined) {
    emaStepPacked(averages, weights, keep);
    return;
  }
  const fused = tf.getKernel(EMA_UPDATE, backend) !== undefined;
  const attrs = { keep, take: 1 - keep } satisfies EmaUpdateAttrs as unknown as tf.NamedAttrMap;
  tf.tidy(() => {
    const [k, t] = fused ? [] : [tf.scalar(keep), tf.scalar(1 - keep)];
    weights.forEach((w, i) => {
      const avg = averages[i]!;
      const next = fused
        ? (tf.engine().runKernel(EMA_UPDATE, { avg: avg.read(), w: w.read() }, attrs) as tf.Tensor)
        : tf.add(tf.mul(avg.read(), k!), tf.mul(w.read(), t!));
      avg.write(next);
    });
  });
}

/** Every weight's average as one kernel. */
function emaStepPacked(averages: tf.LayerVariable[], weights: tf.LayerVariable[], keep: number): void {
  const count = weights.length;
  if (count === 0) return;
  const attrs = { keep, take: 1 - keep, count } satisfies EmaUpdatePackedAttrs as unknown as tf.NamedAttrMap;
  tf.tidy(() => {
    const inputs = numbered({ avg: averages.map((a) => a.read()), w: weights.map((w) => w.read()) });
    const next = tf.engine().runKernel(EMA_UPDATE_PACKED, inputs as tf.NamedTensorMap, attrs) as tf.Tensor[];
    averages.forEach((avg, i) => avg.write(next[i]!));
  });
}

/** ssgan/model.ts's addNormalNoise (which the engine may not import), as one kernel where there is ours. */
function addNoise(x: tf.Tensor, sigma: number, seed: number): tf.Tensor {
  if (tf.getKernel(ADD_NORMAL_NOISE, tf.getBackend()) === undefined || x.dtype !== 'float32')
    return tf.add(x, tf.tensor(normalArray(x.size, sigma, seed), x.shape));
  const attrs = { sigma, state: normalStreamState(seed) } satisfies AddNormalNoiseAttrs;
  return tf.engine().runKernel(ADD_NORMAL_NOISE, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** ssgan/weight-norm.ts's stockScaleShift (which the engine may not import), as one kernel where there is ours. */
function scaleShift(p: tf.Tensor, scale: tf.Tensor1D, bias: tf.Tensor1D, relu: boolean): tf.Tensor {
  if (tf.getKernel(SCALE_SHIFT, tf.getBackend()) === undefined || p.rank !== 2 || p.dtype !== 'float32') {
    const shifted = tf.add(tf.mul(p, scale), bias);
    return relu ? tf.relu(shifted) : shifted;
  }
  const attrs = { relu } satisfies ScaleShiftAttrs as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(SCALE_SHIFT, { p, scale, bias }, attrs) as tf.Tensor;
}

export const engineUpdates: EngineUpdates = {
  createAdam: (learningRate, beta1, beta2) => new FusedAdamOptimizer(learningRate, beta1, beta2),
  emaStep,
  addNoise,
  scaleShift,
  oneDPass: false,
};
