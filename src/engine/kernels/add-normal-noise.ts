/**
 * D's Gaussian noise in one kernel ("GanAddNormalNoise"): out = x + σ·N, N drawn from
 * src/random.ts's normal stream for a seed (attrs: σ and the stream's xorshift state),
 * bit-identical to the stock path tf.add(x, tf.tensor(normalArray(…))) — without drawing the
 * noise in JavaScript, copying it onto the heap and running an Add. wasm only: kernels.wat's
 * `addNormal` on the heap, with the quantile table kept there once per backend (outside
 * tf.memory()'s count, like the transposes of wasm-fused-matmul.ts).
 */
import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { normalQuantiles } from '../../random.js';
import { heapOffset, simdKernelsFor } from '../simd/simd-kernels.js';
import type { WasmHeap } from './wasm-heap.js';

export const ADD_NORMAL_NOISE = 'GanAddNormalNoise';

export interface AddNormalNoiseAttrs {
  sigma: number;
  /** The xorshift128 state (random.ts normalStreamState). */
  state: [number, number, number, number];
}

const tables = new WeakMap<object, TensorInfo>();

function tableOn(backend: KernelBackend & WasmHeap): TensorInfo {
  let table = tables.get(backend);
  if (!table) {
    const quantiles = normalQuantiles();
    table = backend.makeOutput([quantiles.length], 'float32');
    (backend.typedArrayFromHeap(table) as Float32Array).set(quantiles);
    tables.set(backend, table);
  }
  return table;
}

/** wasm backend: registered only where the SIMD module reaches the heap. */
export const wasmAddNormalNoise: KernelFunc = (args) => {
  const { x } = args.inputs;
  if (!x || x.dtype !== 'float32') throw new Error(`${ADD_NORMAL_NOISE}: input x must be float32`);
  const backend = args.backend as KernelBackend & WasmHeap;
  const simd = simdKernelsFor(backend);
  if (!simd) throw new Error(`${ADD_NORMAL_NOISE}: the wasm heap is not reachable`);
  const { sigma, state } = args.attrs as unknown as AddNormalNoiseAttrs;
  const table = tableOn(backend);
  const out = backend.makeOutput(x.shape, 'float32');
  const size = x.shape.reduce((p, d) => p * d, 1);
  simd.addNormal(heapOffset(backend, x), heapOffset(backend, out), size, sigma, heapOffset(backend, table), ...state);
  return out;
};
