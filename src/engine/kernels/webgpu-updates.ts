/**
 * The packed Adam and generator-average kernels (packed-updates.ts) on webgpu: one dispatch per
 * network over its weights copied into one buffer (webgpu-packed.ts), or one per group of weights
 * that fits the device's largest storage binding. For n values, Adam's P holds
 * [x | m | v | g | β₁ᵗ β₂ᵗ] (segments at 0, n, 2n, 3n; the β powers at 4n and 4n + 1), the
 * average's [avg | w] (at 0 and n).
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import {
  ADAM_UPDATE_PACKED,
  EMA_UPDATE_PACKED,
  numberedInputs,
  type AdamUpdatePackedAttrs,
  type EmaUpdatePackedAttrs,
} from './packed-updates.js';
import { PackedRun, packedShader, sizeOf, totalSize, type WebgpuBackendInternals } from './webgpu-packed.js';

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

/**
 * The weights' indices (weight i has sizes[i] values) in order, in groups whose scratch buffer —
 * `floatsPerValue` floats a value, plus `extra` — holds at most `limitFloats` floats; a weight
 * too large for any group gets one of its own. Our networks fit one group: one dispatch.
 */
export function groupsWithin(limitFloats: number, sizes: number[], floatsPerValue: number, extra: number): number[][] {
  const groups: number[][] = [];
  let used = 0;
  sizes.forEach((size, i) => {
    const need = size * floatsPerValue;
    if (groups.length === 0 || used + need > limitFloats) {
      groups.push([]);
      used = extra;
    }
    groups.at(-1)!.push(i);
    used += need;
  });
  return groups;
}

/** The largest storage binding of the backend's device, in floats. */
const bindingFloats = (gpu: WebgpuBackendInternals) => Math.floor(gpu.device.limits.maxStorageBufferBindingSize / 4);

export const webgpuAdamUpdatePacked: KernelFunc = ({ inputs, backend, attrs }) => {
  const { count, learningRate, beta1, beta2, epsilon } = attrs as unknown as AdamUpdatePackedAttrs;
  const [xs, ms, vs, gs] = ['x', 'm', 'v', 'g'].map((p) => numberedInputs(ADAM_UPDATE_PACKED, inputs, p, count));
  const { accBeta1, accBeta2 } = inputs;
  if (!accBeta1 || !accBeta2) throw new Error(`${ADAM_UPDATE_PACKED}: inputs accBeta1 and accBeta2 are required`);
  const gpu = backend as WebgpuBackendInternals;
  const f = Math.fround;
  const params = [beta1, 1 - beta1, beta2, 1 - beta2, epsilon, -learningRate].map(f);
  const out: TensorInfo[][] = [[], [], []];
  for (const group of groupsWithin(bindingFloats(gpu), xs!.map(sizeOf), 4, 2)) {
    const [x, m, v, g] = [xs!, ms!, vs!, gs!].map((all) => group.map((i) => all[i]!));
    const n = totalSize(x!);
    const run = new PackedRun(gpu, 4 * n + 2);
    run.copyIn([...x!, ...m!, ...v!, ...g!, accBeta1, accBeta2], 0);
    run.dispatch(ADAM, n, params);
    out[0]!.push(...run.copyOut(x!, 0));
    out[1]!.push(...run.copyOut(m!, n));
    out[2]!.push(...run.copyOut(v!, 2 * n));
  }
  return out.flat();
};

export const webgpuEmaUpdatePacked: KernelFunc = ({ inputs, backend, attrs }) => {
  const { count, keep, take } = attrs as unknown as EmaUpdatePackedAttrs;
  const averages = numberedInputs(EMA_UPDATE_PACKED, inputs, 'avg', count);
  const weights = numberedInputs(EMA_UPDATE_PACKED, inputs, 'w', count);
  const gpu = backend as WebgpuBackendInternals;
  const out: TensorInfo[] = [];
  for (const group of groupsWithin(bindingFloats(gpu), averages.map(sizeOf), 2, 0)) {
    const [avg, w] = [averages, weights].map((all) => group.map((i) => all[i]!));
    const n = totalSize(avg!);
    const run = new PackedRun(gpu, 2 * n);
    run.copyIn([...avg!, ...w!], 0);
    run.dispatch(EMA, n, [Math.fround(keep), Math.fround(take)]);
    out.push(...run.copyOut(avg!, 0));
  }
  return out;
};
