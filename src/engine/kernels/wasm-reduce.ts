/**
 * Sum and Mean over leading axes for wasm (bias and batch-norm gradients reduce [N,H,W,C] over
 * N, H, W): the stock kernels transpose the reduced axes innermost (a scalar copy of the whole
 * tensor) and then loop (docs/benchmarks.md#kernels). This runs kernels.wat's `colsum` on the
 * tensor as stored, with no copy. The additions are the stock ones in the stock order —
 * 0 + row 0 + row 1 + … per column, then ÷ the row count for Mean — so the result is
 * bit-identical. Other axes, other dtypes and empty tensors go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, simdKernelsFor } from '../simd/simd-kernels.js';
import type { WasmHeap } from './wasm-heap.js';

interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

const product = (dims: number[]): number => dims.reduce((p, d) => p * d, 1);

/** How many leading axes `axis` names (0, 1, …, k−1), or 0 when it is not such a prefix. */
function leadingAxes(axis: number | number[], shape: number[]): number {
  const axes = [...new Set(tf.util.parseAxisParam(axis, shape))].sort((a, b) => a - b);
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

export function makeWasmLeadingReduce(stock: KernelConfig, kind: 'sum' | 'mean'): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: TensorInfo };
    if (x === undefined) throw new Error(`${stock.kernelName}: input x is required`);
    const { axis, keepDims } = args.attrs as unknown as ReduceAttrs;
    const backend = args.backend as KernelBackend & WasmHeap;
    const simd = simdKernelsFor(backend);
    const k = leadingAxes(axis, x.shape);
    // k === rank reduces everything: the stock kernel needs no transpose there.
    if (!simd || x.dtype !== 'float32' || k === 0 || k === x.shape.length || product(x.shape) === 0) {
      return stock.kernelFunc(args);
    }
    const rows = product(x.shape.slice(0, k));
    const cols = product(x.shape.slice(k));
    const outShape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
    const out = backend.makeOutput(outShape, 'float32');
    simd.colsum(heapOffset(backend, x), heapOffset(backend, out), rows, cols, kind === 'mean' ? Math.fround(rows) : 1);
    return out;
  };
}
