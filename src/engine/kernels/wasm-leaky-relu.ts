/**
 * LeakyRelu for wasm as x · step(x, α) (Step and Multiply kernels): the stock
 * kernel is an order of magnitude slower than the pair (docs/benchmarks.md#kernels).
 * Exact: x·1 = x for x > 0 and x·α = α·x otherwise, the stock kernel's two cases.
 */
import type { KernelBackend, KernelConfig, KernelFunc, LeakyReluAttrs, TensorInfo } from '@tensorflow/tfjs';
import { kernelInvoker } from './invoke.js';

export function makeWasmLeakyRelu(stock: KernelConfig, backendName: string): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: TensorInfo };
    if (x === undefined) throw new Error('LeakyRelu: input x is required');
    if (x.dtype !== 'float32') return stock.kernelFunc(args);
    const { alpha } = args.attrs as unknown as LeakyReluAttrs;
    const k = kernelInvoker(args.backend as KernelBackend, backendName);
    const slope = k.run('Step', { x }, { alpha });
    const out = k.run('Multiply', { a: x, b: slope });
    k.free(slope);
    return out;
  };
}
