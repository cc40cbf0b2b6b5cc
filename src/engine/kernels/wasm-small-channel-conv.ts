/**
 * Convolution gradients for inputs with few channels (an image's 1 or 3: D's first layer and
 * G's last) as one matrix product each, with the patch bookkeeping in kernels.wat:
 *   filter gradient  dW[(kh,kw,ci), co] = Σ_p cols[p, (kh,kw,ci)] · dy[p, co]
 *                    with cols = im2col(x) and p = (b, oh, ow);
 *   input gradient   cols[p, (kh,kw,ci)] = Σ_co dy[p, co] · w[(kh,kw,ci), co], dx = col2im(cols).
 * The general plans treat such layers poorly: the dilated-conv filter gradient
 * (conv2d-filter-grad.ts) becomes a conv with a 14×14×64×64 "filter" that XNNPACK packs on
 * every call, and the padded single-conv input gradient (wasm-conv2d-backprop-input.ts) has
 * sh·sw output channels; both ran several times slower than these plans on the DCGAN's 28×28×1
 * layer (three calls of each per iteration; docs/benchmarks.md#kernels). Products are summed in
 * a different order than by the stock kernels: results agree to float32 rounding.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, type ConvGeometry, type SimdKernels } from '../simd/simd-kernels.js';
import type { KernelInvoker } from './invoke.js';
import type { WasmHeap } from './wasm-heap.js';

/**
 * Input channels up to which these plans are used: their advantage over the general plans shrinks
 * as C grows and is gone by 16 channels (docs/benchmarks.md#kernel-design-measurements).
 */
export const SMALL_CONV_CHANNELS = 8;

function geometry(info: backend_util.Conv2DInfo): ConvGeometry {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/** Whether the plans apply: NHWC float32 (checked by the callers), few channels, nothing empty. */
export function usesSmallChannelPlan(info: backend_util.Conv2DInfo): boolean {
  return (
    info.inChannels <= SMALL_CONV_CHANNELS &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    geometry(info)
      .slice(0, 8)
      .every((d) => d > 0)
  );
}

const patches = (info: backend_util.Conv2DInfo): number => info.batchSize * info.outHeight * info.outWidth;
const patchSize = (info: backend_util.Conv2DInfo): number => info.filterHeight * info.filterWidth * info.inChannels;

export function filterGradByIm2col(
  k: KernelInvoker,
  simd: SimdKernels,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const heap = k.backend as KernelBackend & WasmHeap;
  const cols = heap.makeOutput([1, patches(info), patchSize(info)], 'float32');
  simd.im2col(heapOffset(heap, x), heapOffset(heap, cols), ...geometry(info));
  const dy3 = k.run('Reshape', { x: dy }, { shape: [1, patches(info), info.outChannels] });
  const dW = k.run('BatchMatMul', { a: cols, b: dy3 }, { transposeA: true, transposeB: false }); // [1, KH·KW·CI, CO]
  k.free(cols, dy3);
  const out = k.run(
    'Reshape',
    { x: dW },
    { shape: [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels] },
  );
  k.free(dW);
  return out;
}

export function inputGradByCol2im(
  k: KernelInvoker,
  simd: SimdKernels,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const heap = k.backend as KernelBackend & WasmHeap;
  const dy3 = k.run('Reshape', { x: dy }, { shape: [1, patches(info), info.outChannels] });
  const w3 = k.run('Reshape', { x: filter }, { shape: [1, patchSize(info), info.outChannels] });
  const cols = k.run('BatchMatMul', { a: dy3, b: w3 }, { transposeA: false, transposeB: true }); // [1, P, KH·KW·CI]
  k.free(dy3, w3);
  const dx = heap.makeOutput([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
  simd.col2im(heapOffset(heap, cols), heapOffset(heap, dx), ...geometry(info));
  k.free(cols);
  return dx;
}
