/**
 * Transpose for wasm on kernels.wat's SIMD 2-D transpose (8×8 tiles of 4×4 register blocks).
 * The stock kernel copies element by element through index arithmetic, slow on the dense
 * layers' [1024,784] weights and on the [64,14,14,64] batch/channel swap the conv filter
 * gradient makes (conv2d-filter-grad.ts; docs/benchmarks.md#kernels).
 *
 * A permutation is first reduced: axes of size 1 are dropped and axes that stay adjacent and
 * in order are merged. What remains is handled when it is
 *   [1,0]    a 2-D transpose of [R, C];
 *   [0,2,1]  A independent 2-D transposes of [R, C];
 *   [2,1,0]  [A, S, C] → [C, S, A]: S strided 2-D transposes of [A, C];
 * anything else (and non-float32 data) goes to the stock kernel. A transpose only moves
 * values, so the result is the stock kernel's exactly.
 */
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo, TransposeAttrs } from '@tensorflow/tfjs';
import { heapOffset, simdKernelsFor } from '../simd/simd-kernels.js';
import type { WasmHeap } from './wasm-heap.js';

export interface ReducedPermutation {
  shape: number[];
  perm: number[];
}

/** Drops size-1 axes and merges runs of axes that the permutation keeps adjacent and in order. */
export function reducePermutation(shape: readonly number[], perm: readonly number[]): ReducedPermutation {
  const kept = perm.filter((axis) => shape[axis] !== 1);
  // Renumber the kept axes 0..k-1 in their input order.
  const order = [...kept].sort((a, b) => a - b);
  const renumbered = kept.map((axis) => order.indexOf(axis));
  const keptShape = order.map((axis) => shape[axis]!);
  // Output runs: consecutive output axes whose input axes are consecutive too.
  const runs: number[][] = [];
  for (const axis of renumbered) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1]! + 1 === axis) last.push(axis);
    else runs.push([axis]);
  }
  // Each run becomes one axis; number runs by their first input axis.
  const byInput = [...runs].sort((a, b) => a[0]! - b[0]!);
  return {
    shape: byInput.map((run) => run.reduce((p, axis) => p * keptShape[axis]!, 1)),
    perm: runs.map((run) => byInput.indexOf(run)),
  };
}

const same = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

export function makeWasmTranspose(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: TensorInfo };
    if (x === undefined) throw new Error('Transpose: input x is required');
    const backend = args.backend as KernelBackend & WasmHeap;
    const simd = simdKernelsFor(backend);
    const { perm } = args.attrs as unknown as TransposeAttrs;
    if (!simd || x.dtype !== 'float32') return stock.kernelFunc(args);
    const { shape, perm: p } = reducePermutation(x.shape, perm);
    const plan = same(p, [1, 0]) ? '2d' : same(p, [0, 2, 1]) ? 'batched' : same(p, [2, 1, 0]) ? 'outer' : undefined;
    if (plan === undefined) return stock.kernelFunc(args);
    const out = backend.makeOutput(
      perm.map((axis) => x.shape[axis]!),
      'float32',
    );
    const src = heapOffset(backend, x);
    const dst = heapOffset(backend, out);
    if (plan === '2d') {
      const [rows, cols] = shape as [number, number];
      simd.transpose(src, dst, rows, cols, cols, rows);
    } else if (plan === 'batched') {
      const [count, rows, cols] = shape as [number, number, number];
      for (let a = 0; a < count; a++)
        simd.transpose(src + 4 * a * rows * cols, dst + 4 * a * rows * cols, rows, cols, cols, rows);
    } else {
      // [A, S, C] → [C, S, A]: for each s, the A×C slice (row stride S·C) to C×A (row stride S·A).
      const [a, s, c] = shape as [number, number, number];
      for (let k = 0; k < s; k++) simd.transpose(src + 4 * k * c, dst + 4 * k * a, a, c, s * c, s * a);
    }
    return out;
  };
}
