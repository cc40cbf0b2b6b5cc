/**
 * tfjs's Adam with each variable's update as one kernel (GanAdamUpdate, src/engine/kernels/
 * adam-update.ts) where the engine registers it (cpu; wasm when our SIMD module reaches its
 * heap): the stock optimizer runs about 14 element-wise kernels per variable, each a pass over the
 * weights with its own engine bookkeeping — a large share of an MLP iteration on both engines
 * (docs/benchmarks.md#kernel-design-measurements).
 * Bit-identical results; the state (moments, β powers, iteration count) lives in the same
 * fields as tfjs's, so getWeights/setWeights and our checkpoint code see no difference.
 * Engines without the kernel (native, wasm without that heap) run the stock update.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, type AdamUpdateAttrs } from './kernels/adam-update.js';

/** AdamOptimizer's private state, read and written exactly as its own applyGradients does. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    if (!tf.getKernel(ADAM_UPDATE, tf.getBackend())) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const attrs: AdamUpdateAttrs = {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        const moment = (slots: AdamState['accumulatedFirstMoment'], suffix: string) => {
          slots[i] ??= {
            originalName: `${name}/${suffix}`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
          };
          return slots[i].variable;
        };
        const m = moment(state.accumulatedFirstMoment, 'm');
        const v = moment(state.accumulatedSecondMoment, 'v');
        const g = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
        if (g == null) return;
        const [x1, m1, v1] = tf
          .engine()
          .runKernel(
            ADAM_UPDATE,
            { x: value, m, v, g, accBeta1: state.accBeta1, accBeta2: state.accBeta2 },
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
        m.assign(m1!);
        v.assign(v1!);
        value.assign(x1!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
