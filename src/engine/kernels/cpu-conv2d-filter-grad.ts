/**
 * Filter gradient of a 2-D convolution for the cpu backend, as a plain loop.
 *
 *   dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sh + kh − top, ow·sw + kw − left, ci] · dy[b,oh,ow,co]
 *
 * (terms whose x index falls outside x are the zero padding and are skipped).
 * Loop order: for every output row (b, oh) and filter tap (kh, kw), the dW
 * block for that tap is a CI×CO matrix that receives one rank-1 update
 * x[.., ci] ⊗ dy[.., co] per output column ow. Updates for four columns are
 * fused so each dW row is loaded and stored once per four products; the
 * innermost loop runs over co, contiguous in both dW and dy.
 *
 * Why not the conv2d formulation of conv2d-filter-grad.ts here: on the DCGAN
 * layers the cpu backend's Conv2D runs that formulation several times slower
 * than this loop (docs/benchmarks.md#kernel-design-measurements).
 * Sums are kept in float64 (products of two float32 are exact in float64) and
 * rounded once, like the stock kernel.
 */
import type { BackendValues, Conv2DBackpropFilterAttrs, DataId, DataType, TensorInfo } from '@tensorflow/tfjs';
import { filterGradGeometry } from './conv2d-filter-grad.js';

/** The parts of tfjs's MathBackendCPU this kernel uses. */
export interface CpuStorage {
  readSync(dataId: DataId): BackendValues;
  makeTensorInfo(shape: number[], dtype: DataType, values: BackendValues): TensorInfo;
}

/** Up to four output columns that all read x inside its bounds, fused in one pass. */
function accumulateColumns(
  acc: Float64Array,
  accBase: number,
  xv: Float32Array,
  xOff: number,
  xStep: number,
  dyv: Float32Array,
  dyOff: number,
  count: number,
  inChannels: number,
  outChannels: number,
): void {
  const CO = outChannels;
  if (count === 4) {
    const x1 = xOff + xStep,
      x2 = x1 + xStep,
      x3 = x2 + xStep;
    const d1 = dyOff + CO,
      d2 = d1 + CO,
      d3 = d2 + CO;
    for (let ci = 0, a = accBase; ci < inChannels; ci++, a += CO) {
      const v0 = xv[xOff + ci],
        v1 = xv[x1 + ci],
        v2 = xv[x2 + ci],
        v3 = xv[x3 + ci];
      for (let co = 0; co < CO; co++) {
        acc[a + co] += v0 * dyv[dyOff + co] + v1 * dyv[d1 + co] + v2 * dyv[d2 + co] + v3 * dyv[d3 + co];
      }
    }
    return;
  }
  for (let j = 0; j < count; j++) {
    const xj = xOff + j * xStep,
      dj = dyOff + j * CO;
    for (let ci = 0, a = accBase; ci < inChannels; ci++, a += CO) {
      const v = xv[xj + ci];
      for (let co = 0; co < CO; co++) acc[a + co] += v * dyv[dj + co];
    }
  }
}

export function cpuConv2dFilterGrad(
  storage: CpuStorage,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs,
): TensorInfo {
  const { filterShape } = attrs;
  const info = filterGradGeometry(x, dy, attrs);
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const xv = storage.readSync(x.dataId) as Float32Array;
  const dyv = storage.readSync(dy.dataId) as Float32Array;
  const acc = new Float64Array(KH * KW * CI * CO);

  for (let kw = 0; kw < KW; kw++) {
    // Output columns whose input column ow·sw + kw − left lies inside x.
    const owBegin = Math.max(0, Math.ceil((left - kw) / sw));
    const owEnd = Math.min(OW, Math.floor((W - 1 + left - kw) / sw) + 1);
    if (owEnd <= owBegin) continue;
    for (let b = 0; b < B; b++) {
      for (let oh = 0; oh < OH; oh++) {
        const dyRow = (b * OH + oh) * OW * CO;
        for (let kh = 0; kh < KH; kh++) {
          const r = oh * sh + kh - top;
          if (r < 0 || r >= H) continue;
          const accBase = (kh * KW + kw) * CI * CO;
          const xRow = (b * H + r) * W;
          for (let ow = owBegin; ow < owEnd; ow += 4) {
            const count = Math.min(4, owEnd - ow);
            const xOff = (xRow + ow * sw + kw - left) * CI;
            accumulateColumns(acc, accBase, xv, xOff, sw * CI, dyv, dyRow + ow * CO, count, CI, CO);
          }
        }
      }
    }
  }
  return storage.makeTensorInfo(filterShape, 'float32', Float32Array.from(acc));
}
