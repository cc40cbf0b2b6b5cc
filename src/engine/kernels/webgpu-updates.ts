/**
 * The packed Adam and generator-average kernels (packed-updates.ts) on webgpu: one dispatch per
 * network over its weights copied into one buffer (webgpu-packed.ts). Adam's P holds
 * [x | m | v | g | β₁ᵗ β₂ᵗ], the average's [avg | w].
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import {
  ADAM_UPDATE_PACKED,
  EMA_UPDATE_PACKED,
  numberedInputs,
  type AdamUpdatePackedAttrs,
  type EmaUpdatePackedAttrs,
} from './packed-updates.js';
import { PackedRun, packedShader, totalSize, type WebgpuBackendInternals } from './webgpu-packed.js';

// x + (m̂ / (√v̂ + ε))·(−lr), with m̂ = m′/(1 − β₁ᵗ) and v̂ = v′/(1 − β₂ᵗ), as tfjs's Adam orders it.
const ADAM = packedShader(
  ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'eps', 'negLr'],
  `let g = P[3u * n + i];
  let m1 = P[n + i] * u.beta1 + g * u.oneMinusBeta1;
  let v1 = P[2u * n + i] * u.beta2 + (g * g) * u.oneMinusBeta2;
  let mHat = m1 / (1.0 - P[4u * n]);
  let vHat = v1 / (1.0 - P[4u * n + 1u]);
  P[i] = (mHat / (sqrt(vHat) + u.eps)) * u.negLr + P[i];
  P[n + i] = m1;
  P[2u * n + i] = v1;`,
);

const EMA = packedShader(['keep', 'take'], `P[i] = P[i] * u.keep + P[n + i] * u.take;`);

export const webgpuAdamUpdatePacked: KernelFunc = ({ inputs, backend, attrs }) => {
  const { count, learningRate, beta1, beta2, epsilon } = attrs as unknown as AdamUpdatePackedAttrs;
  const [xs, ms, vs, gs] = ['x', 'm', 'v', 'g'].map((p) => numberedInputs(ADAM_UPDATE_PACKED, inputs, p, count));
  const { accBeta1, accBeta2 } = inputs;
  if (!accBeta1 || !accBeta2) throw new Error(`${ADAM_UPDATE_PACKED}: inputs accBeta1 and accBeta2 are required`);
  const n = totalSize(xs!);
  const run = new PackedRun(backend as WebgpuBackendInternals, 4 * n + 2);
  run.copyIn([...xs!, ...ms!, ...vs!, ...gs!, accBeta1, accBeta2], 0);
  const f = Math.fround;
  run.dispatch(ADAM, n, [beta1, 1 - beta1, beta2, 1 - beta2, epsilon, -learningRate].map(f));
  return [...run.copyOut(xs!, 0), ...run.copyOut(ms!, n), ...run.copyOut(vs!, 2 * n)];
};

export const webgpuEmaUpdatePacked: KernelFunc = ({ inputs, backend, attrs }) => {
  const { count, keep, take } = attrs as unknown as EmaUpdatePackedAttrs;
  const averages = numberedInputs(EMA_UPDATE_PACKED, inputs, 'avg', count);
  const weights = numberedInputs(EMA_UPDATE_PACKED, inputs, 'w', count);
  const n = totalSize(averages);
  const run = new PackedRun(backend as WebgpuBackendInternals, 2 * n);
  run.copyIn([...averages, ...weights], 0);
  run.dispatch(EMA, n, [Math.fround(keep), Math.fround(take)]);
  return run.copyOut(averages, 0) as TensorInfo[];
};
