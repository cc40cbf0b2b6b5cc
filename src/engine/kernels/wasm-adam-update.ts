/**
 * GanAdamUpdate for wasm: one call of kernels.wat's SIMD `adam` loop per variable, on the heap,
 * instead of tfjs's about 14 element-wise kernels (each a kernel call with its own engine bookkeeping
 * and a pass over the weights). Same float32 operations in the same order as the stock sequence
 * (adam-update.ts), so the result is bit-identical to tfjs's AdamOptimizer on wasm.
 */
import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, simdKernelsFor } from '../simd/simd-kernels.js';
import { adamConstants, adamInputs, type AdamUpdateAttrs } from './adam-update.js';
import type { WasmHeap } from './wasm-heap.js';

const sizeOf = (t: TensorInfo): number => t.shape.reduce((p, d) => p * d, 1);

/** Registered only where `simdKernelsFor` finds the heap (src/engine/kernels/wasm.ts). */
export const wasmAdamUpdate: KernelFunc = (args) => {
  const t = adamInputs(args);
  const n = sizeOf(t.x);
  for (const [name, info] of Object.entries(t)) {
    if (info.dtype !== 'float32') throw new Error(`GanAdamUpdate: ${name} must be float32, got ${info.dtype}`);
    const expected = name.startsWith('accBeta') ? 1 : n;
    if (sizeOf(info) !== expected)
      throw new Error(`GanAdamUpdate: ${name} has ${sizeOf(info)} elements, expected ${expected}`);
  }
  const backend = args.backend as KernelBackend & WasmHeap;
  const simd = simdKernelsFor(backend);
  if (!simd) throw new Error('GanAdamUpdate: the wasm heap is not reachable');
  const scalar = (info: TensorInfo): number => backend.typedArrayFromHeap(info)[0]!;
  const k = adamConstants(args.attrs as unknown as AdamUpdateAttrs, scalar(t.accBeta1), scalar(t.accBeta2));
  const outs = [0, 1, 2].map(() => backend.makeOutput(t.x.shape, 'float32'));
  const [xOut, mOut, vOut] = outs.map((o) => heapOffset(backend, o));
  const at = (info: TensorInfo): number => heapOffset(backend, info);
  simd.adam(
    at(t.x),
    at(t.m),
    at(t.v),
    at(t.g),
    xOut!,
    mOut!,
    vOut!,
    n,
    k.beta1,
    k.oneMinusBeta1,
    k.beta2,
    k.oneMinusBeta2,
    k.biasCorrection1,
    k.biasCorrection2,
    k.epsilon,
    k.negLearningRate,
  );
  return outs;
};
