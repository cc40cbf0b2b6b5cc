/**
 * Filter gradient of a 2-D convolution (kernel Conv2DBackpropFilter), computed
 * as one ordinary stride-1, dilated Conv2D so that it runs on the backend's
 * fast convolution (XNNPACK on wasm).
 *
 * Forward (NHWC, dilation 1, xp = x zero-padded by the forward padding):
 *   y[b,oh,ow,co] = Σ_{kh,kw,ci} xp[b, oh·sh + kh, ow·sw + kw, ci] · w[kh,kw,ci,co]
 * so
 *   dW[kh,kw,ci,co] = Σ_{b,oh,ow} xp[b, kh + oh·sh, kw + ow·sw, ci] · dy[b,oh,ow,co].
 * With X'[ci,r,c,b] = xp[b,r,c,ci] (batch and channel axes swapped) and
 * F'[oh,ow,b,co] = dy[b,oh,ow,co] this is
 *   dW[kh,kw,ci,co] = Σ_{oh,ow,b} X'[ci, kh + oh·sh, kw + ow·sw, b] · F'[oh,ow,b,co],
 * i.e. conv2d(X', F') with stride 1 and dilation (sh, sw) — the forward stride —
 * giving O[ci,kh,kw,co]; dW = transpose(O, [1,2,0,3]).
 *
 * The padding is taken from backend_util.computeConv2DInfo, the same function
 * the forward kernels use, so 'same', 'valid', explicit pads, odd sizes and
 * dimRoundingMode all agree with the forward pass. Only padded rows
 * [0, (OH−1)·sh + KH) take part; rows of x beyond that are sliced off and any
 * shortfall is made up with bottom/right zero padding, so the convolution
 * output is exactly KH×KW and no work is wasted on rows that are cropped later.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, TensorInfo } from '@tensorflow/tfjs';
import type { KernelInvoker } from './invoke.js';

type Shape4 = [number, number, number, number];

/** Which input rows (or columns) the filter gradient reads, and how to pad them. */
interface AxisWindow {
  /** Leading rows of x that are read (x is sliced to these when fewer than all). */
  keep: number;
  /** Zero padding before and after the kept rows. */
  padBefore: number;
  padAfter: number;
}

/**
 * Padded positions k + o·s for k < K, o < O span [0, (O−1)·s + K); in x's own
 * coordinates that is [−padBefore, (O−1)·s + K − padBefore).
 */
function axisWindow(
  inSize: number,
  outSize: number,
  stride: number,
  filterSize: number,
  padBefore: number,
): AxisWindow {
  const end = (outSize - 1) * stride + filterSize - padBefore;
  const keep = Math.min(inSize, end);
  return { keep, padBefore, padAfter: end - keep };
}

/** The forward convolution's geometry (NHWC, dilation 1) of a filter gradient our patches support. */
export function filterGradGeometry(
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs,
): backend_util.Conv2DInfo {
  assertSupported(x, dy, attrs);
  const { strides, pad, dimRoundingMode, filterShape } = attrs;
  return backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** Rejects what no Conv2DBackpropFilter patch implements (NCHW, dilation, non-float32). */
export function assertSupported(x: TensorInfo, dy: TensorInfo, attrs: Conv2DBackpropFilterAttrs): void {
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter patch supports dataFormat 'NHWC' only, got '${attrs.dataFormat}'`);
  }
  // The kernel has no dilations attribute: tfjs's Conv2D gradient refuses
  // forward dilation > 1 before it gets here (gradients/Conv2D_grad.ts). Guard
  // anyway in case a caller passes one, since the formulation above assumes 1.
  const dilations = (attrs as unknown as { dilations?: number | number[] }).dilations;
  if (dilations != null && [dilations].flat().some((d) => d !== 1)) {
    throw new Error(
      `Conv2DBackpropFilter patch supports forward dilation 1 only (not needed here), got ${String(dilations)}`,
    );
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter patch supports float32 only, got ${x.dtype}/${dy.dtype}`);
  }
}

export function conv2dFilterGrad(
  k: KernelInvoker,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs,
): TensorInfo {
  const { filterShape } = attrs;
  const info = filterGradGeometry(x, dy, attrs);
  const rows = axisWindow(info.inHeight, info.outHeight, info.strideHeight, info.filterHeight, info.padInfo.top);
  const cols = axisWindow(info.inWidth, info.outWidth, info.strideWidth, info.filterWidth, info.padInfo.left);

  if (rows.keep <= 0 || cols.keep <= 0 || info.batchSize === 0) {
    // Every position the filter touches is padding (possible with explicit
    // pads ≥ the filter size): the gradient is exactly zero.
    return k.run('Fill', {}, { shape: filterShape, value: 0, dtype: 'float32' });
  }

  const cropped = rows.keep < info.inHeight || cols.keep < info.inWidth;
  const xs = cropped
    ? k.run('Slice', { x }, { begin: [0, 0, 0, 0], size: [info.batchSize, rows.keep, cols.keep, info.inChannels] })
    : x;
  const xT = k.run('Transpose', { x: xs }, { perm: [3, 1, 2, 0] }); // X' [ci, r, c, b]
  if (cropped) k.free(xs);
  const dyT = k.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // F' [oh, ow, b, co]
  const o = k.run(
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      dilations: [info.strideHeight, info.strideWidth],
      pad: [
        [0, 0],
        [rows.padBefore, rows.padAfter],
        [cols.padBefore, cols.padAfter],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dimRoundingMode: 'floor',
    },
  ); // O [ci, kh, kw, co]
  k.free(xT, dyT);
  const dW = k.run('Transpose', { x: o }, { perm: [1, 2, 0, 3] });
  k.free(o);
  return dW;
}
