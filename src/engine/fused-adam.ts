/**
 * tfjs's Adam with each variable's update as one kernel (GanAdamUpdate, src/engine/kernels/
 * adam-update.ts) where the engine registers it (cpu; wasm when our SIMD module reaches its
 * heap), or all of a network's weights as one kernel (GanAdamUpdatePacked, webgpu, where each
 * kernel is a GPU dispatch): the stock optimizer runs about 14 element-wise kernels per variable,
 * each a pass over the weights with its own engine bookkeeping — a large share of an MLP
 * iteration on cpu and wasm (docs/benchmarks.md#kernel-design-measurements).
 * The same float32 operations in the same order (bit-identical on cpu and wasm); the state
 * (moments, β powers, iteration count) lives in the same fields as tfjs's, so
 * getWeights/setWeights and our checkpoint code see no difference.
 * Engines without the kernel (native, wasm without that heap) run the stock update.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, type AdamUpdateAttrs } from './kernels/adam-update.js';
import { ADAM_UPDATE_PACKED, numbered, type AdamUpdatePackedAttrs } from './kernels/packed-updates.js';

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
    const backend = tf.getBackend();
    const packed = tf.getKernel(ADAM_UPDATE_PACKED, backend) !== undefined;
    if (!packed && !tf.getKernel(ADAM_UPDATE, backend)) {
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
      const steps: AdamStep[] = [];
      names.forEach((name, i) => {
        const x = tf.engine().registeredVariables[name]!;
        const moment = (slots: AdamState['accumulatedFirstMoment'], suffix: string) => {
          slots[i] ??= {
            originalName: `${name}/${suffix}`,
            variable: tf.tidy(() => tf.zerosLike(x).variable(false)),
          };
          return slots[i].variable;
        };
        const m = moment(state.accumulatedFirstMoment, 'm');
        const v = moment(state.accumulatedSecondMoment, 'v');
        const g = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
        if (g != null) steps.push({ x, m, v, g });
      });
      const betaPowers = { accBeta1: state.accBeta1, accBeta2: state.accBeta2 };
      if (packed) stepAll(steps, betaPowers, attrs);
      else for (const step of steps) stepOne(step, betaPowers, attrs);
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/** One weight's Adam step: the weight, its two moments and its gradient. */
interface AdamStep {
  x: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
  g: tf.Tensor;
}
type BetaPowers = { accBeta1: tf.Variable; accBeta2: tf.Variable };

function stepOne({ x, m, v, g }: AdamStep, betaPowers: BetaPowers, attrs: AdamUpdateAttrs): void {
  const [x1, m1, v1] = tf
    .engine()
    .runKernel(ADAM_UPDATE, { x, m, v, g, ...betaPowers }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  m.assign(m1!);
  v.assign(v1!);
  x.assign(x1!);
}

/** Every weight's Adam step as one kernel. */
function stepAll(steps: AdamStep[], betaPowers: BetaPowers, attrs: AdamUpdateAttrs): void {
  if (steps.length === 0) return;
  const count = steps.length;
  const inputs = numbered({
    x: steps.map((s) => s.x),
    m: steps.map((s) => s.m),
    v: steps.map((s) => s.v),
    g: steps.map((s) => s.g),
  });
  const packedAttrs: AdamUpdatePackedAttrs = { ...attrs, count };
  const out = tf
    .engine()
    .runKernel(
      ADAM_UPDATE_PACKED,
      { ...inputs, ...betaPowers } as tf.NamedTensorMap,
      packedAttrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
  steps.forEach((s, i) => {
    s.x.assign(out[i]!);
    s.m.assign(out[count + i]!);
    s.v.assign(out[2 * count + i]!);
  });
}
