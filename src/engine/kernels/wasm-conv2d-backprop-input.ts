/**
 * Conv2DBackpropInput (the input gradient of conv2d, and the forward pass of
 * conv2dTranspose) for wasm, as one stride-1 XNNPACK convolution plus a
 * depth-to-space shuffle, instead of the stock kernel's scalar loop.
 *
 * Forward (NHWC, dilation 1, padding top/left from computeConv2DInfo):
 *   dx[b,r,c,ci] = Σ dy[b,oh,ow,co] · w[kh,kw,ci,co]  over  oh·sh + kh = r + top,
 *                                                           ow·sw + kw = c + left.
 * Split padded rows R = r + top into phases R = sh·i + κ, κ ∈ [0, sh): then
 * kh = κ + sh·j and oh = i − j, for j < J(κ) = ⌈(KH − κ)/sh⌉ — every phase is
 * a stride-1 correlation of dy with the sub-filter w[κ + sh·j], j reversed.
 * With T = ⌈KH/sh⌉ = max J, padding dy by T − 1 rows on top and aligning each
 * reversed sub-filter at the end (tap t = T − 1 − j, zeros where κ + sh·j ≥ KH):
 *   P[b,i,·,(κ,·,ci)] = Σ_{t,co} dyPad[b, i + t, ·, co] · Wp[t, ·, co, (κ,·,ci)]
 * and likewise for columns. All sh·sw phases are output channels of ONE
 * convolution (filter [Th, Tw, CO, sh·sw·CI]), so XNNPACK runs a single large
 * GEMM-like conv. Then P[b,i,p,κh,κw,ci] → X[b, sh·i + κh, sw·p + κw, ci]
 * (a transpose of axes i/κh, i.e. depth-to-space) and rows/cols
 * [top, top + H) × [left, left + W) are cut out.
 * Cost: Th·Tw/(KH·KW/(sh·sw)) times the exact MACs — 1 for 4×4 stride 2,
 * 1.44 for 5×5 stride 2 — still far ahead of the scalar loop (bench/kernels.ts).
 * This single-conv plan is used for few dx channels (see MIN_PHASE_CHANNELS) and for
 * geometries the exact per-phase plan does not handle; otherwise the per-phase plan runs.
 * NCHW and non-float32 inputs go to the stock kernel.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { simdKernelsFor } from '../simd/simd-kernels.js';
import { kernelInvoker, type KernelInvoker } from './invoke.js';
import { inputGradByCol2im, usesSmallChannelPlan } from './wasm-small-channel-conv.js';
import { backpropInputByPhases } from './wasm-conv2d-backprop-input-phases.js';

/**
 * dx channels from which the exact per-phase plan (wasm-conv2d-backprop-input-phases.ts) is
 * used. It wins on the DCGAN's 7×7×128→14×14×64 layer (k4 and k5, no wasted multiply-adds) but
 * loses on 14×14×64→28×28×1 (docs/benchmarks.md#kernel-design-measurements) — with one channel
 * each phase conv has a single output channel, which XNNPACK runs poorly, while the single conv
 * below packs all sh·sw phases into its output channels.
 */
const MIN_PHASE_CHANNELS = 16;

/** Phase geometry along one spatial axis. */
interface PhaseAxis {
  stride: number;
  /** Taps of the longest sub-filter, ⌈K/s⌉. */
  taps: number;
  /** Zero padding of dy after its last row so that enough phase rows exist. */
  padAfter: number;
  /** Forward padding before the input: the rows to drop from the shuffled result. */
  crop: number;
}

function phaseAxis(inSize: number, outSize: number, stride: number, filterSize: number, padBefore: number): PhaseAxis {
  const taps = Math.ceil(filterSize / stride);
  // Phase rows i needed to cover padded rows [0, padBefore + inSize).
  const rowsNeeded = Math.ceil((padBefore + inSize) / stride);
  // The stride-1 conv over dy padded by (taps − 1, padAfter) yields outSize + padAfter rows.
  return { stride, taps, padAfter: Math.max(0, rowsNeeded - outSize), crop: padBefore };
}

/**
 * Builds Wp[t, s, co, (κh, κw, ci)] = w[κh + sh·(Th−1−t), κw + sw·(Tw−1−s), ci, co],
 * zero where the tap falls outside the filter.
 */
function phaseFilter(w: Float32Array, filterShape: number[], rowsAx: PhaseAxis, colsAx: PhaseAxis): Float32Array {
  const [KH, KW, CI, CO] = filterShape as [number, number, number, number];
  const { stride: sh, taps: Th } = rowsAx;
  const { stride: sw, taps: Tw } = colsAx;
  const outCh = sh * sw * CI;
  const out = new Float32Array(Th * Tw * CO * outCh);
  let o = 0;
  for (let t = 0; t < Th; t++) {
    for (let s = 0; s < Tw; s++) {
      for (let co = 0; co < CO; co++) {
        for (let kh0 = 0; kh0 < sh; kh0++) {
          const kh = kh0 + sh * (Th - 1 - t);
          for (let kw0 = 0; kw0 < sw; kw0++) {
            const kw = kw0 + sw * (Tw - 1 - s);
            if (kh >= KH || kw >= KW) {
              o += CI; // zeros: this phase has fewer taps
              continue;
            }
            const base = (kh * KW + kw) * CI * CO + co;
            for (let ci = 0; ci < CI; ci++) out[o++] = w[base + ci * CO]!;
          }
        }
      }
    }
  }
  return out;
}

function backpropInput(
  k: KernelInvoker,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DBackpropInputAttrs,
): TensorInfo {
  const { strides, pad, dimRoundingMode, inputShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = info;
  const rowsAx = phaseAxis(H, OH, info.strideHeight, info.filterHeight, info.padInfo.top);
  const colsAx = phaseAxis(W, OW, info.strideWidth, info.filterWidth, info.padInfo.left);
  const { stride: sh } = rowsAx;
  const { stride: sw } = colsAx;

  const wValues = k.backend.readSync(filter.dataId) as Float32Array;
  const wpShape = [rowsAx.taps, colsAx.taps, info.outChannels, sh * sw * CI];
  const wp: TensorInfo = {
    dataId: k.backend.write(phaseFilter(wValues, filter.shape, rowsAx, colsAx), wpShape, 'float32'),
    shape: wpShape,
    dtype: 'float32',
  };
  const phases = k.run(
    'Conv2D',
    { x: dy, filter: wp },
    {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [rowsAx.taps - 1, rowsAx.padAfter],
        [colsAx.taps - 1, colsAx.padAfter],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dimRoundingMode: 'floor',
    },
  ); // [B, Hp, Wp, sh·sw·CI]
  k.free(wp);
  const [, Hp, Wp] = phases.shape as [number, number, number, number];

  // Depth-to-space with separate row/column blocks: view P as [B·Hp, Wp, sh, sw·CI],
  // swap axes 1 and 2, and read back as [B, Hp·sh, Wp·sw, CI].
  let shuffled = phases;
  if (sh > 1) {
    const view = k.run('Reshape', { x: phases }, { shape: [B * Hp, Wp, sh, sw * CI] });
    shuffled = k.run('Transpose', { x: view }, { perm: [0, 2, 1, 3] });
    k.free(view, phases);
  }
  const full = k.run('Reshape', { x: shuffled }, { shape: [B, Hp * sh, Wp * sw, CI] });
  k.free(shuffled);
  const dx = k.run('Slice', { x: full }, { begin: [0, rowsAx.crop, colsAx.crop, 0], size: [B, H, W, CI] });
  k.free(full);
  return dx;
}

export function makeWasmConv2dBackpropInput(stock: KernelConfig, backendName: string): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs;
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (dy === undefined || filter === undefined)
      throw new Error('Conv2DBackpropInput: inputs dy and filter are required');
    if (attrs.dataFormat !== 'NHWC' || dy.dtype !== 'float32' || filter.dtype !== 'float32')
      return stock.kernelFunc(args);
    const k = kernelInvoker(args.backend as KernelBackend, backendName);
    const info = backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    const simd = simdKernelsFor(k.backend);
    if (simd && usesSmallChannelPlan(info)) return inputGradByCol2im(k, simd, dy, filter, info);
    const byPhases = info.inChannels >= MIN_PHASE_CHANNELS ? backpropInputByPhases(k, dy, filter, attrs) : undefined;
    return byPhases ?? backpropInput(k, dy, filter, attrs);
  };
}
