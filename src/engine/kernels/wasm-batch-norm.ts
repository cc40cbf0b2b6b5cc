/**
 * FusedBatchNorm (batch normalisation's forward) for wasm as kernels.wat's SIMD `batchNorm`: the
 * stock kernel is a scalar loop with a modulo index per operand (docs/benchmarks.md). The same
 * operations at the same precision — (x − mean)·scale and sqrt(variance + ε) in float32, the
 * division and the offset in float64 (tfjs 4.22's FusedBatchNorm.cc keeps its normalisation
 * factors in a vector<double>), rounded once — so the result is bit-identical. Used when mean,
 * variance, offset and scale are all one value per channel (as tfjs-layers' BatchNormalization
 * passes them); anything else goes to the stock kernel.
 */
import type { FusedBatchNormAttrs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, simdKernelsFor } from '../simd/simd-kernels.js';
import type { WasmHeap } from './wasm-heap.js';

const size = (t: TensorInfo): number => t.shape.reduce((p, d) => p * d, 1);

export function makeWasmBatchNorm(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, TensorInfo | undefined>;
    const backend = args.backend as KernelBackend & WasmHeap;
    const simd = simdKernelsFor(backend);
    if (!simd || !x || !mean || !variance || !offset || !scale || x.shape.length === 0) return stock.kernelFunc(args);
    const channels = x.shape[x.shape.length - 1]!;
    const perChannel = [mean, variance, offset, scale].every((t) => size(t) === channels && t.dtype === 'float32');
    if (!perChannel || x.dtype !== 'float32' || size(x) === 0) return stock.kernelFunc(args);
    const { varianceEpsilon } = args.attrs as unknown as FusedBatchNormAttrs;
    const out = backend.makeOutput(x.shape, 'float32');
    const at = (t: TensorInfo): number => heapOffset(backend, t);
    simd.batchNorm(
      at(x),
      at(out),
      size(x) / channels,
      channels,
      at(mean),
      at(variance),
      at(offset),
      at(scale),
      Math.fround(varianceEpsilon),
    );
    return out;
  };
}
