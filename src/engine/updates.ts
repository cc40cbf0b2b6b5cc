// This engine's versions of the trainer's two non-gradient updates (src/train/update-kernels.ts):
// Adam and the generator-average step as one kernel per variable (GanAdamUpdate,
// GanEmaUpdate) where the active backend registers ours, tfjs's ops where it does not —
// bit-identical either way. The check is made per call, so a benchmark may switch the kernels
// off and on under a running trainer.
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer } from './fused-adam.js';
import { EMA_UPDATE, type EmaUpdateAttrs } from './kernels/ema-update.js';

/** The shape of the trainer's UpdateKernels (structural: the engine imports nothing above it). */
export interface EngineUpdates {
  createAdam: (learningRate: number, beta1: number, beta2: number) => tf.AdamOptimizer;
  emaStep: (averages: tf.LayerVariable[], weights: tf.LayerVariable[], keep: number) => void;
}

function emaStep(averages: tf.LayerVariable[], weights: tf.LayerVariable[], keep: number): void {
  const fused = tf.getKernel(EMA_UPDATE, tf.getBackend()) !== undefined;
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

export const engineUpdates: EngineUpdates = {
  createAdam: (learningRate, beta1, beta2) => new FusedAdamOptimizer(learningRate, beta1, beta2),
  emaStep,
};
