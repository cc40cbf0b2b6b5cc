/**
 * Kernel patches for the wasm backend.
 *
 * Conv2DBackpropFilter: wasm has none, so no conv model can train there.
 * Computed as a dilated Conv2D on XNNPACK (see conv2d-filter-grad.ts), or for
 * inputs of ≤ 8 channels as im2col + one matrix product (wasm-small-channel-conv.ts);
 * Conv3DBackpropFilterV2 is deliberately not used (wrong at stride > 1 on wasm).
 *
 * BatchMatMul and _FusedMatMul: on the machine's BLAS where there is one
 * (wasm-blas-matmul.ts, src/engine/blas.ts). Without one, transposed operands are
 * transposed explicitly so the product stays on XNNPACK (see wasm-batch-matmul.ts).
 *
 * Conv2DBackpropInput: the stock kernel is a scalar loop; replaced by a
 * phase decomposition into stride-1 XNNPACK convs: one exact conv per phase for
 * ≥ 16 dx channels (wasm-conv2d-backprop-input-phases.ts), one matrix product +
 * col2im for ≤ 8 (wasm-small-channel-conv.ts), else one padded conv holding all
 * phases (wasm-conv2d-backprop-input.ts).
 *
 * Tile: the stock kernel computes an index per element; replaced by block
 * copies (wasm-tile.ts). Batch norm's gradient tiles its scale to the full
 * activation shape.
 *
 * LeakyRelu: x · step(x, α), exact (wasm-leaky-relu.ts).
 *
 * Identity (and Cast to the same dtype): shares its input's buffer instead of
 * copying it (wasm-identity.ts); the tape clones every tensor a gradient saves.
 *
 * Transpose: 2-D, batched 2-D and outer-axes swaps on a SIMD transpose
 * (wasm-transpose.ts); the stock kernel moves one float at a time.
 *
 * _FusedMatMul without a BLAS: a dense layer's forward as yᵀ = Wᵀ·xᵀ, so that XNNPACK
 * packs the batch instead of freshly updated weights (wasm-fused-matmul.ts).
 *
 * FusedBatchNorm: batch normalisation's forward as one SIMD pass, bit-identical
 * (wasm-batch-norm.ts).
 *
 * GatherV2 along axis 0 (a training batch from the data set) as row copies
 * (wasm-gather.ts).
 *
 * Softplus: one SIMD pass instead of a scalar log(1 + exp(x)) (wasm-softplus.ts).
 *
 * GanAdamUpdate (one Adam step per variable, src/engine/fused-adam.ts),
 * GanEmaUpdate (one moving-average step per G weight, ema-update.ts),
 * GanAddNormalNoise (the semi-supervised D's noise, add-normal-noise.ts),
 * GanScaleShift and its gradient (a weight-normalised layer's scale, bias and
 * ReLU, scale-shift.ts) and
 * Sum/Mean over leading axes: bit-identical to the stock sequences
 * (wasm-adam-update.ts, wasm-reduce.ts). (A JavaScript Adam loop on the heap was
 * measured slower than the stock kernels: docs/benchmarks.md#alternatives-measured-and-dropped.)
 *
 * Every patch above that runs our SIMD loops (src/engine/simd/, on the backend's
 * heap) is registered only where that heap is reachable; the conv plans that
 * use them check at each call and otherwise take their other plans.
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { simdKernelsFor } from '../simd/simd-kernels.js';
import { ADAM_UPDATE } from './adam-update.js';
import { ADD_NORMAL_NOISE, wasmAddNormalNoise } from './add-normal-noise.js';
import { EMA_UPDATE, wasmEmaUpdate } from './ema-update.js';
import { SCALE_SHIFT, SCALE_SHIFT_GRAD, wasmScaleShift, wasmScaleShiftGrad } from './scale-shift.js';
import { conv2dFilterGrad, filterGradGeometry } from './conv2d-filter-grad.js';
import type { Blas } from '../blas.js';
import { kernelInvoker } from './invoke.js';
import { addKernel, replaceKernel } from './register.js';
import { makeWasmBatchMatMul } from './wasm-batch-matmul.js';
import { makeBlasBatchMatMul, makeBlasFusedMatMul } from './wasm-blas-matmul.js';
import { makeWasmConv2dBackpropInput } from './wasm-conv2d-backprop-input.js';
import { makeWasmBatchNorm } from './wasm-batch-norm.js';
import { makeWasmFusedMatMul } from './wasm-fused-matmul.js';
import { makeWasmGather } from './wasm-gather.js';
import { makeWasmCast, makeWasmIdentity } from './wasm-identity.js';
import { makeWasmLeakyRelu } from './wasm-leaky-relu.js';
import { wasmAdamUpdate } from './wasm-adam-update.js';
import { makeWasmLeadingReduce } from './wasm-reduce.js';
import { makeWasmTranspose } from './wasm-transpose.js';
import { filterGradByIm2col, usesSmallChannelPlan } from './wasm-small-channel-conv.js';
import { makeWasmSoftplus } from './wasm-softplus.js';
import { makeWasmTile } from './wasm-tile.js';

const BACKEND = 'wasm';

const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter: inputs x and dy are required');
  const filterAttrs = attrs as unknown as Conv2DBackpropFilterAttrs;
  const k = kernelInvoker(backend as KernelBackend, BACKEND);
  const simd = simdKernelsFor(k.backend);
  if (simd && filterAttrs.dataFormat === 'NHWC' && x.dtype === 'float32' && dy.dtype === 'float32') {
    const info = filterGradGeometry(x, dy, filterAttrs);
    if (usesSmallChannelPlan(info)) return filterGradByIm2col(k, simd, x, dy, info);
  }
  return conv2dFilterGrad(k, x, dy, filterAttrs);
};

/**
 * Registers the wasm patches, the matrix products on `blas` when given; returns the names of the
 * kernels now patched. The first registration in a process wins (the patches are idempotent).
 */
export function registerWasmKernels(blas?: Blas): string[] {
  const names: string[] = [];
  if (addKernel('Conv2DBackpropFilter', BACKEND, conv2dBackpropFilter)) names.push('Conv2DBackpropFilter');
  const matMulOnXnnpack = (stock: KernelConfig) => makeWasmBatchMatMul(stock, BACKEND);
  const batchMatMul = blas
    ? (stock: KernelConfig) => makeBlasBatchMatMul(matMulOnXnnpack(stock), blas)
    : matMulOnXnnpack;
  if (replaceKernel('BatchMatMul', BACKEND, batchMatMul)) names.push('BatchMatMul');
  if (replaceKernel('Conv2DBackpropInput', BACKEND, (stock) => makeWasmConv2dBackpropInput(stock, BACKEND))) {
    names.push('Conv2DBackpropInput');
  }
  if (replaceKernel('Tile', BACKEND, makeWasmTile)) names.push('Tile');
  if (replaceKernel('LeakyRelu', BACKEND, (stock) => makeWasmLeakyRelu(stock, BACKEND))) names.push('LeakyRelu');
  if (replaceKernel('Identity', BACKEND, makeWasmIdentity)) names.push('Identity');
  if (replaceKernel('Cast', BACKEND, makeWasmCast)) names.push('Cast');
  const backend = tf.findBackend(BACKEND);
  const simd = backend ? simdKernelsFor(backend) !== undefined : false;
  if (simd) {
    if (addKernel(ADAM_UPDATE, BACKEND, wasmAdamUpdate)) names.push(ADAM_UPDATE);
    if (addKernel(EMA_UPDATE, BACKEND, wasmEmaUpdate)) names.push(EMA_UPDATE);
    if (addKernel(ADD_NORMAL_NOISE, BACKEND, wasmAddNormalNoise)) names.push(ADD_NORMAL_NOISE);
    if (addKernel(SCALE_SHIFT, BACKEND, wasmScaleShift)) names.push(SCALE_SHIFT);
    if (addKernel(SCALE_SHIFT_GRAD, BACKEND, wasmScaleShiftGrad)) names.push(SCALE_SHIFT_GRAD);
    if (replaceKernel('Sum', BACKEND, (stock) => makeWasmLeadingReduce(stock, 'sum'))) names.push('Sum');
    if (replaceKernel('Mean', BACKEND, (stock) => makeWasmLeadingReduce(stock, 'mean'))) names.push('Mean');
    if (replaceKernel('Transpose', BACKEND, makeWasmTranspose)) names.push('Transpose');
    if (replaceKernel('FusedBatchNorm', BACKEND, makeWasmBatchNorm)) names.push('FusedBatchNorm');
    if (replaceKernel('GatherV2', BACKEND, makeWasmGather)) names.push('GatherV2');
    if (replaceKernel('Softplus', BACKEND, makeWasmSoftplus)) names.push('Softplus');
  }
  // On the BLAS, with the XNNPACK patch (it needs the heap) or the stock kernel for what sgemm does not take.
  const fusedOnXnnpack = (stock: KernelConfig): KernelFunc =>
    simd ? makeWasmFusedMatMul(stock, BACKEND) : stock.kernelFunc;
  const fusedMatMul = (stock: KernelConfig) =>
    blas ? makeBlasFusedMatMul(fusedOnXnnpack(stock), blas, BACKEND) : fusedOnXnnpack(stock);
  if ((blas || simd) && replaceKernel('_FusedMatMul', BACKEND, fusedMatMul)) names.push('_FusedMatMul');
  return names;
}
