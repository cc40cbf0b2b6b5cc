/**
 * Conv2D and Conv2DBackpropInput for the cpu backend as plain loops (NHWC, float32).
 *
 * These run several times faster than the stock kernels (docs/benchmarks.md#kernels). Both are the
 * same gather: every output pixel is a sum over the filter taps that land inside the input, and
 * each tap adds a matrix–vector product acc[o] += Σ_i src[i] · w[i, o] with o contiguous in the
 * weights. Eight rows i are fused per pass over acc, so acc is loaded and stored once per eight
 * products (V8 does not vectorise; this is what keeps the loop fed).
 *   Conv2D:          out[b,oh,ow,:] = Σ_{kh,kw} x[b, oh·sh − top + kh·dh, ow·sw − left + kw·dw, :] · W[kh,kw]
 *   BackpropInput:   dx[b,ih,iw,:]  = Σ_{kh,kw} dy[b, (ih + top − kh)/sh, (iw + left − kw)/sw, :] · W[kh,kw]ᵀ
 *                    over the taps where the division is exact and lands inside dy.
 * Sums are kept in float64 and rounded once (stock Conv2D rounds on every add into a float32
 * output; stock BackpropInput sums in float64), so results agree with the stock kernels to
 * float32 rounding, not bit for bit. Other data formats and dtypes use the stock kernels.
 * FusedConv2D (every Conv2D layer's forward: src/engine/prunable-fused-ops.ts) reuses the same loop.
 */
import { backend_util, util } from '@tensorflow/tfjs';
import type {
  Conv2DAttrs,
  Conv2DBackpropInputAttrs,
  FusedConv2DAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { CpuStorage } from './cpu-conv2d-filter-grad.js';

/** acc[0..cout) += Σ_{i<cin} src[srcBase + i] · w[wBase + i·cout + o]. */
function accumulateTap(
  acc: Float64Array,
  src: Float32Array,
  srcBase: number,
  w: Float32Array,
  wBase: number,
  cin: number,
  cout: number,
): void {
  let i = 0;
  for (; i + 8 <= cin; i += 8) {
    const s = srcBase + i;
    const v0 = src[s]!,
      v1 = src[s + 1]!,
      v2 = src[s + 2]!,
      v3 = src[s + 3]!;
    const v4 = src[s + 4]!,
      v5 = src[s + 5]!,
      v6 = src[s + 6]!,
      v7 = src[s + 7]!;
    const r0 = wBase + i * cout,
      r1 = r0 + cout,
      r2 = r1 + cout,
      r3 = r2 + cout;
    const r4 = r3 + cout,
      r5 = r4 + cout,
      r6 = r5 + cout,
      r7 = r6 + cout;
    for (let o = 0; o < cout; o++) {
      acc[o] +=
        v0 * w[r0 + o]! +
        v1 * w[r1 + o]! +
        v2 * w[r2 + o]! +
        v3 * w[r3 + o]! +
        v4 * w[r4 + o]! +
        v5 * w[r5 + o]! +
        v6 * w[r6 + o]! +
        v7 * w[r7 + o]!;
    }
  }
  for (; i < cin; i++) {
    const v = src[srcBase + i]!;
    const r = wBase + i * cout;
    for (let o = 0; o < cout; o++) acc[o] += v * w[r + o]!;
  }
}

function store(acc: Float64Array, out: Float32Array, base: number): void {
  for (let o = 0; o < acc.length; o++) out[base + o] = acc[o]!;
}

type Shape4 = [number, number, number, number];

/** The convolution's output values and shape (NHWC). */
function convolve(
  storage: CpuStorage,
  x: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DAttrs,
): { out: Float32Array; shape: number[] } {
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filter.shape as Shape4,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const {
    filterHeight: KH,
    filterWidth: KW,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = info;
  const { top, left } = info.padInfo;
  const xv = storage.readSync(x.dataId) as Float32Array;
  const wv = storage.readSync(filter.dataId) as Float32Array;
  const out = new Float32Array(B * OH * OW * CO);
  const acc = new Float64Array(CO);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        acc.fill(0);
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - top + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - left + kw * dw;
            if (iw < 0 || iw >= W) continue;
            accumulateTap(acc, xv, ((b * H + ih) * W + iw) * CI, wv, (kh * KW + kw) * CI * CO, CI, CO);
          }
        }
        store(acc, out, ((b * OH + oh) * OW + ow) * CO);
      }
    }
  }
  return { out, shape: info.outShape };
}

function cpuConv2d(storage: CpuStorage, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): TensorInfo {
  const { out, shape } = convolve(storage, x, filter, attrs);
  return storage.makeTensorInfo(shape, 'float32', out);
}

/**
 * FusedConv2D (conv + bias + activation), as tfjs-layers' Conv2D calls it in training and
 * sampling alike (prunable-fused-ops.ts): the stock cpu kernel runs the stock conv. Handles a per-channel
 * or scalar bias and the activations layers fuse here (linear, relu, leakyrelu); the rest
 * stays on the stock kernel. Bias and activation are applied to the float32 conv output, as
 * the stock kernel's separate add and activation do.
 */
function cpuFusedConv2d(
  storage: CpuStorage,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | undefined,
  attrs: FusedConv2DAttrs,
): TensorInfo {
  const { out, shape } = convolve(storage, x, filter, attrs);
  const channels = shape[3]!;
  const b = bias ? (storage.readSync(bias.dataId) as Float32Array) : undefined;
  const alpha = attrs.leakyreluAlpha ?? 0.2; // a double, as in the stock LeakyRelu kernel
  for (let i = 0; i < out.length; i++) {
    let v = b ? Math.fround(out[i]! + b[b.length === 1 ? 0 : i % channels]!) : out[i]!;
    if (attrs.activation === 'relu') v = v < 0 ? 0 : v;
    else if (attrs.activation === 'leakyrelu' && v < 0) v = alpha * v;
    out[i] = v;
  }
  return storage.makeTensorInfo(shape, 'float32', out);
}

/** W[kh,kw,ci,co] → Wᵀ[kh,kw,co,ci]: the backward gather reads rows of length CI. */
function transposeTaps(wv: Float32Array, taps: number, CI: number, CO: number): Float32Array {
  const out = new Float32Array(wv.length);
  for (let t = 0; t < taps; t++) {
    const base = t * CI * CO;
    for (let ci = 0; ci < CI; ci++) {
      for (let co = 0; co < CO; co++) out[base + co * CI + ci] = wv[base + ci * CO + co]!;
    }
  }
  return out;
}

function cpuConv2dBackpropInput(
  storage: CpuStorage,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DBackpropInputAttrs,
): TensorInfo {
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape as Shape4,
    filter.shape as Shape4,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const dyv = storage.readSync(dy.dataId) as Float32Array;
  const wT = transposeTaps(storage.readSync(filter.dataId) as Float32Array, KH * KW, CI, CO);
  const dx = new Float32Array(B * H * W * CI);
  const acc = new Float64Array(CI);
  for (let b = 0; b < B; b++) {
    for (let ih = 0; ih < H; ih++) {
      for (let iw = 0; iw < W; iw++) {
        acc.fill(0);
        for (let kh = 0; kh < KH; kh++) {
          const th = ih + top - kh;
          if (th < 0 || th % sh !== 0 || th / sh >= OH) continue;
          const oh = th / sh;
          for (let kw = 0; kw < KW; kw++) {
            const tw = iw + left - kw;
            if (tw < 0 || tw % sw !== 0 || tw / sw >= OW) continue;
            accumulateTap(acc, dyv, ((b * OH + oh) * OW + tw / sw) * CO, wT, (kh * KW + kw) * CO * CI, CO, CI);
          }
        }
        store(acc, dx, ((b * H + ih) * W + iw) * CI);
      }
    }
  }
  return storage.makeTensorInfo(attrs.inputShape, 'float32', dx);
}

const usable = (attrs: { dataFormat?: string }, ...ts: TensorInfo[]): boolean =>
  (attrs.dataFormat ?? 'NHWC') === 'NHWC' && ts.every((t) => t.dtype === 'float32');

export function makeCpuConv2d(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs;
    const attrs = args.attrs as unknown as Conv2DAttrs;
    if (!x || !filter || !usable(attrs, x, filter)) return stock.kernelFunc(args);
    return cpuConv2d(args.backend as unknown as CpuStorage, x, filter, attrs);
  };
}

export function makeCpuConv2dBackpropInput(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs;
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (!dy || !filter || !usable(attrs, dy, filter)) return stock.kernelFunc(args);
    return cpuConv2dBackpropInput(args.backend as unknown as CpuStorage, dy, filter, attrs);
  };
}

const FUSABLE = new Set(['linear', 'relu', 'leakyrelu']);

export function makeCpuFusedConv2d(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const attrs = args.attrs as unknown as FusedConv2DAttrs;
    const biasSize = bias ? util.sizeFromShape(bias.shape) : 0;
    const biasOk =
      !bias ||
      (bias.dtype === 'float32' &&
        (biasSize === 1 || biasSize === filter?.shape[3]) &&
        bias.shape.slice(0, -1).every((d) => d === 1));
    if (
      !x ||
      !filter ||
      preluActivationWeights ||
      !FUSABLE.has(attrs.activation ?? 'linear') ||
      !biasOk ||
      !usable(attrs, x, filter)
    ) {
      return stock.kernelFunc(args);
    }
    return cpuFusedConv2d(args.backend as unknown as CpuStorage, x, filter, bias, attrs);
  };
}
