/**
 * One Adam step for one variable as a single kernel ("GanAdamUpdate", cpu engine), instead of the
 * about 14 element-wise kernels tfjs's AdamOptimizer runs per variable (src/engine/fused-adam.ts):
 * on cpu each of those is a JavaScript pass over the weights, this is one (docs/benchmarks.md#kernels).
 * This file holds the cpu kernel (a JavaScript loop) and what the wasm one (wasm-adam-update.ts,
 * a SIMD loop on the heap) shares with it: inputs, and the scalars rounded to float32.
 * Each Math.fround rounds where a float32 kernel of the stock sequence rounds, in the same
 * order, so the results are bit-identical to tfjs's Adam (add, multiply, divide and square root
 * of floats are exactly rounded in both):
 *   m' = β₁m + (1−β₁)g;  v' = β₂v + (1−β₂)g²;  m̂ = m'/(1−β₁ᵗ);  v̂ = v'/(1−β₂ᵗ)
 *   x' = (m̂ / (√v̂ + ε))·(−lr) + x
 */
import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

export const ADAM_UPDATE = 'GanAdamUpdate';

export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

interface AdamArrays {
  x: Float32Array;
  m: Float32Array;
  v: Float32Array;
  g: Float32Array;
  xOut: Float32Array;
  mOut: Float32Array;
  vOut: Float32Array;
}

/** The step's scalars as float32 values, as the stock sequence's scalar tensors hold them. */
export interface AdamConstants {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** 1 − β₁ᵗ and 1 − β₂ᵗ (tfjs: sub(1, accBeta)). */
  biasCorrection1: number;
  biasCorrection2: number;
  epsilon: number;
  negLearningRate: number;
}

/** accBeta1/accBeta2 are β₁ᵗ and β₂ᵗ as float32 values. */
export function adamConstants(attrs: AdamUpdateAttrs, accBeta1: number, accBeta2: number): AdamConstants {
  const f = Math.fround;
  return {
    beta1: f(attrs.beta1),
    oneMinusBeta1: f(1 - attrs.beta1),
    beta2: f(attrs.beta2),
    oneMinusBeta2: f(1 - attrs.beta2),
    biasCorrection1: f(1 - accBeta1),
    biasCorrection2: f(1 - accBeta2),
    epsilon: f(attrs.epsilon),
    negLearningRate: f(-attrs.learningRate),
  };
}

/** The update on typed arrays. */
function adamUpdate(a: AdamArrays, k: AdamConstants): void {
  const f = Math.fround;
  const { x, m, v, g, xOut, mOut, vOut } = a;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]!;
    const mi = f(f(m[i]! * k.beta1) + f(gi * k.oneMinusBeta1));
    const vi = f(f(v[i]! * k.beta2) + f(f(gi * gi) * k.oneMinusBeta2));
    const step = f(f(mi / k.biasCorrection1) / f(f(Math.sqrt(f(vi / k.biasCorrection2))) + k.epsilon));
    mOut[i] = mi;
    vOut[i] = vi;
    xOut[i] = f(step * k.negLearningRate) + x[i]!;
  }
}

export type AdamInputs = {
  x: TensorInfo;
  m: TensorInfo;
  v: TensorInfo;
  g: TensorInfo;
  accBeta1: TensorInfo;
  accBeta2: TensorInfo;
};

export function adamInputs(args: { inputs: Record<string, TensorInfo | undefined> }): AdamInputs {
  const { x, m, v, g, accBeta1, accBeta2 } = args.inputs;
  if (!x || !m || !v || !g || !accBeta1 || !accBeta2)
    throw new Error(`${ADAM_UPDATE}: inputs x, m, v, g, accBeta1, accBeta2 are required`);
  return { x, m, v, g, accBeta1, accBeta2 };
}

/** cpu backend: tensors are typed arrays in backend.data. */
export const cpuAdamUpdate: KernelFunc = (args) => {
  const t = adamInputs(args);
  const backend = args.backend as KernelBackend & { data: { get(id: object): { values: Float32Array } } };
  const read = (info: TensorInfo) => backend.data.get(info.dataId).values;
  const n = read(t.x).length;
  const out = { xOut: new Float32Array(n), mOut: new Float32Array(n), vOut: new Float32Array(n) };
  const constants = adamConstants(args.attrs as unknown as AdamUpdateAttrs, read(t.accBeta1)[0]!, read(t.accBeta2)[0]!);
  adamUpdate({ x: read(t.x), m: read(t.m), v: read(t.v), g: read(t.g), ...out }, constants);
  const make = (values: Float32Array) =>
    (backend as unknown as { makeTensorInfo(s: number[], d: 'float32', v: Float32Array): TensorInfo }).makeTensorInfo(
      t.x.shape,
      'float32',
      values,
    );
  return [make(out.xOut), make(out.mOut), make(out.vOut)];
};
