/**
 * Conv2DBackpropInput as sh·sw exact stride-1 convolutions, one per output
 * phase, scattered into place on the wasm heap — no wasted multiply-adds, in
 * contrast to the single padded convolution of wasm-conv2d-backprop-input.ts
 * (which computes ⌈(top+H)/sh⌉ rows per phase where only ⌈H/sh⌉ are needed:
 * (8/7)² ≈ 1.31× the work for the 7×7→14×14 k4 s2 layer).
 *
 * Forward (NHWC, dilation 1, padding top/left):
 *   dx[b,r,c,ci] = Σ dy[b,oh,ow,co] · w[kh,kw,ci,co]  over  oh·sh + kh = r + top,  ow·sw + kw = c + left.
 * Rows r with (r + top) mod sh = κ form phase κ: r = r₀ + sh·m with
 * r₀ = (κ − top) mod sh, m < n = ⌈(H − r₀)/sh⌉, and r + top = sh·(i₀ + m) + κ,
 * i₀ = (r₀ + top − κ)/sh. Only taps kh = κ + sh·j, j < J = ⌈(KH − κ)/sh⌉,
 * contribute, with oh = i₀ + m − j. With t = J − 1 − j (taps reversed):
 *   dx[b, r₀ + sh·m, ·, ci] = Σ_{t,co} dy[b, m + t + i₀ − (J − 1), ·, co] · W_κ[t, ·, co, ci],
 *   W_κ[t, s, co, ci] = w[κh + sh·(Jh − 1 − t), κw + sw·(Jw − 1 − s), ci, co],
 * a stride-1 correlation of dy padded by J − 1 − i₀ rows before (and enough
 * zero rows after), and likewise for columns. Each phase's n_h × n_w output is
 * then copied to rows r₀ + sh·m, columns c₀ + sw·p of dx.
 * Same products as the stock kernel, summed in XNNPACK's order: results agree
 * to float32 rounding. Returns undefined when a phase would need negative
 * padding or has no taps (large explicit pads, filter smaller than the
 * stride), or without our SIMD module (src/engine/simd) for the scatter; the
 * caller then uses the single-convolution plan.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelBackend, TensorInfo } from '@tensorflow/tfjs';
import type { KernelInvoker } from './invoke.js';
import { heapOffset, simdKernelsFor, type SimdKernels } from '../simd/simd-kernels.js';
import type { WasmHeap } from './wasm-heap.js';

/** One phase along one axis. */
interface Phase {
  /** Phase index κ (filter taps κ, κ + s, …). */
  kappa: number;
  /** First output row of the phase. */
  first: number;
  /** Output rows in the phase. */
  count: number;
  /** Taps J. */
  taps: number;
  /** Zero rows of dy before/after for the stride-1 correlation. */
  padBefore: number;
  padAfter: number;
}

function phasesOf(
  inSize: number,
  outSize: number,
  stride: number,
  filterSize: number,
  padBefore: number,
): Phase[] | undefined {
  const phases: Phase[] = [];
  for (let kappa = 0; kappa < stride; kappa++) {
    const first = (((kappa - padBefore) % stride) + stride) % stride;
    const count = first < inSize ? Math.ceil((inSize - first) / stride) : 0;
    if (count === 0) continue;
    const taps = Math.ceil((filterSize - kappa) / stride);
    const i0 = (first + padBefore - kappa) / stride;
    const before = taps - 1 - i0;
    if (taps <= 0 || before < 0) return undefined;
    // Last dy row read: (count − 1) + (taps − 1) − before.
    const after = Math.max(0, count + taps - 1 - before - outSize);
    phases.push({ kappa, first, count, taps, padBefore: before, padAfter: after });
  }
  return phases;
}

/**
 * W_κ[t, s, co, ci] = w[κh + sh·(Jh−1−t), κw + sw·(Jw−1−s), ci, co] (w is [KH, KW, CI, CO]):
 * per tap, a CI×CO → CO×CI transpose on the heap.
 */
function phaseFilter(
  simd: SimdKernels,
  heap: KernelBackend & WasmHeap,
  filter: TensorInfo,
  rows: Phase,
  cols: Phase,
  sh: number,
  sw: number,
): TensorInfo {
  const [, KW, CI, CO] = filter.shape as [number, number, number, number];
  const out = heap.makeOutput([rows.taps, cols.taps, CO, CI], 'float32');
  const w = heapOffset(heap, filter);
  const wk = heapOffset(heap, out);
  for (let t = 0; t < rows.taps; t++) {
    const kh = rows.kappa + sh * (rows.taps - 1 - t);
    for (let s = 0; s < cols.taps; s++) {
      const kw = cols.kappa + sw * (cols.taps - 1 - s);
      simd.transpose(w + 4 * (kh * KW + kw) * CI * CO, wk + 4 * (t * cols.taps + s) * CO * CI, CI, CO, CO, CI);
    }
  }
  return out;
}

/**
 * dx[b, r₀ + sh·m, c₀ + sw·p, :] = P[b, m, p, :]: per (b, m), a run of cols.count channel
 * vectors copied sw pixels apart (kernels.wat copyRuns; the JavaScript loop it replaced was a
 * noticeable share of the 7×7×128 → 14×14×64 call: docs/benchmarks.md#kernel-design-measurements).
 */
function scatterPhase(
  simd: SimdKernels,
  dx: number,
  p: number,
  B: number,
  H: number,
  W: number,
  CI: number,
  rows: Phase,
  cols: Phase,
  sh: number,
  sw: number,
): void {
  const runBytes = 4 * cols.count * CI;
  for (let b = 0; b < B; b++) {
    for (let m = 0; m < rows.count; m++) {
      const dst = dx + 4 * ((b * H + rows.first + sh * m) * W + cols.first) * CI;
      simd.copyRuns(p + (b * rows.count + m) * runBytes, dst, cols.count, CI, CI, sw * CI);
    }
  }
}

export function backpropInputByPhases(
  k: KernelInvoker,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DBackpropInputAttrs,
): TensorInfo | undefined {
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
  const {
    batchSize: B,
    inHeight: H,
    inWidth: W,
    inChannels: CI,
    outHeight: OH,
    outWidth: OW,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const rowPhases = phasesOf(H, OH, sh, info.filterHeight, info.padInfo.top);
  const colPhases = phasesOf(W, OW, sw, info.filterWidth, info.padInfo.left);
  if (!rowPhases || !colPhases) return undefined;

  const simd = simdKernelsFor(k.backend);
  if (!simd) return undefined;
  const heap = k.backend as KernelBackend & WasmHeap;
  const dx = heap.makeOutput([B, H, W, CI], 'float32');
  // Phases cover every (row, column) of dx exactly once, so dx needs no zero fill.
  for (const rows of rowPhases) {
    for (const cols of colPhases) {
      const wk = phaseFilter(simd, heap, filter, rows, cols, sh, sw);
      const p = k.run(
        'Conv2D',
        { x: dy, filter: wk },
        {
          strides: [1, 1],
          dilations: [1, 1],
          pad: [
            [0, 0],
            [rows.padBefore, rows.padAfter],
            [cols.padBefore, cols.padAfter],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dimRoundingMode: 'floor',
        },
      ); // [B, rows.count, cols.count, CI]
      k.free(wk);
      scatterPhase(simd, heapOffset(k.backend, dx), heapOffset(k.backend, p), B, H, W, CI, rows, cols, sh, sw);
      k.free(p);
    }
  }
  return dx;
}
