/**
 * GatherV2 along axis 0 for wasm as row copies (kernels.wat gatherRows): the stock kernel
 * computes a strided index per element, which made gathering a training batch the training
 * loop's whole overhead (docs/benchmarks.md#kernels). Indices are checked exactly
 * as the stock kernel checks them (same message); other axes, batch dims and dtypes go to it.
 */
import type { GatherV2Attrs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernelsFor } from '../simd/simd-kernels.js';
import type { WasmHeap } from './wasm-heap.js';

const FOUR_BYTE = new Set(['float32', 'int32']);

export function makeWasmGather(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x?: TensorInfo; indices?: TensorInfo };
    if (x === undefined || indices === undefined) throw new Error('GatherV2: inputs x and indices are required');
    const backend = args.backend as KernelBackend & WasmHeap;
    const simd = simdKernelsFor(backend);
    const { axis, batchDims } = args.attrs as unknown as GatherV2Attrs;
    if (
      !simd ||
      x.shape.length === 0 ||
      tf.util.parseAxisParam(axis, x.shape)[0] !== 0 ||
      (batchDims ?? 0) !== 0 ||
      !FOUR_BYTE.has(x.dtype) ||
      indices.dtype !== 'int32'
    ) {
      return stock.kernelFunc(args);
    }
    const rows = x.shape[0]!;
    // Read before makeOutput: a heap that grows detaches views taken earlier.
    const index = backend.typedArrayFromHeap(indices) as Int32Array;
    const count = index.length;
    for (const i of index) {
      tf.util.assert(i <= rows - 1 && i >= 0, () => `GatherV2: the index value ${i} is not in [0, ${rows - 1}]`);
    }
    const rowSize = x.shape.slice(1).reduce((p, d) => p * d, 1);
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    if (count > 0 && rowSize > 0) {
      simd.gatherRows(heapOffset(backend, x), heapOffset(backend, out), heapOffset(backend, indices), count, rowSize);
    }
    return out;
  };
}
