/**
 * Softplus for wasm as one SIMD pass (kernels.wat `softplus`): max(x, 0) + log1p(exp(−|x|)), four
 * lanes at a time. The stock kernel computes log(1 + exp(x)) one float at a time, a large share of
 * the semi-supervised generator's forward pass (its three activations). Agrees with the stock
 * kernel to float32 rounding, not bit for bit (test/simd-kernels.test.ts).
 */
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, simdKernelsFor } from '../simd/simd-kernels.js';
import type { WasmHeap } from './wasm-heap.js';

export function makeWasmSoftplus(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: TensorInfo };
    if (x === undefined) throw new Error('Softplus: input x is required');
    const backend = args.backend as KernelBackend & WasmHeap;
    const simd = simdKernelsFor(backend);
    if (!simd || x.dtype !== 'float32') return stock.kernelFunc(args);
    const out = backend.makeOutput(x.shape, 'float32');
    simd.softplus(
      heapOffset(backend, x),
      heapOffset(backend, out),
      x.shape.reduce((p, d) => p * d, 1),
    );
    return out;
  };
}
