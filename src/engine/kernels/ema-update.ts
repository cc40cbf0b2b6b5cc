/**
 * One moving-average step for one weight as a single kernel ("GanEmaUpdate"):
 *   avg' = avg·keep + w·take   (keep = d, take = 1 − d, as float32)
 * instead of tfjs's three (two Multiply, one Add) per weight of the generator, after every G
 * update (src/train/ema.ts). The products and the sum are rounded to float32 as the stock kernels
 * round them, so the result is bit-identical. cpu: a JavaScript loop; wasm: kernels.wat's SIMD
 * `blend` on the heap.
 */
import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, simdKernelsFor } from '../simd/simd-kernels.js';
import type { WasmHeap } from './wasm-heap.js';

export const EMA_UPDATE = 'GanEmaUpdate';

export interface EmaUpdateAttrs {
  keep: number;
  take: number;
}

function inputsOf(args: { inputs: Record<string, TensorInfo | undefined> }): { avg: TensorInfo; w: TensorInfo } {
  const { avg, w } = args.inputs;
  if (!avg || !w) throw new Error(`${EMA_UPDATE}: inputs avg and w are required`);
  const size = (t: TensorInfo) => t.shape.reduce((p, d) => p * d, 1);
  if (avg.dtype !== 'float32' || w.dtype !== 'float32' || size(avg) !== size(w)) {
    throw new Error(
      `${EMA_UPDATE}: avg and w must be float32 of one size, got ${avg.dtype}[${avg.shape}] and ${w.dtype}[${w.shape}]`,
    );
  }
  return { avg, w };
}

const factors = (args: { attrs?: unknown }): EmaUpdateAttrs => {
  const { keep, take } = args.attrs as EmaUpdateAttrs;
  return { keep: Math.fround(keep), take: Math.fround(take) };
};

/** cpu backend: tensors are typed arrays in backend.data. */
export const cpuEmaUpdate: KernelFunc = (args) => {
  const { avg, w } = inputsOf(args);
  const backend = args.backend as KernelBackend & {
    data: { get(id: object): { values: Float32Array } };
    makeTensorInfo(s: number[], d: 'float32', v: Float32Array): TensorInfo;
  };
  const a = backend.data.get(avg.dataId).values;
  const b = backend.data.get(w.dataId).values;
  const { keep, take } = factors(args);
  const f = Math.fround;
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(f(a[i]! * keep) + f(b[i]! * take));
  return backend.makeTensorInfo(avg.shape, 'float32', out);
};

/** wasm backend: registered only where the SIMD module reaches the heap. */
export const wasmEmaUpdate: KernelFunc = (args) => {
  const { avg, w } = inputsOf(args);
  const backend = args.backend as KernelBackend & WasmHeap;
  const simd = simdKernelsFor(backend);
  if (!simd) throw new Error(`${EMA_UPDATE}: the wasm heap is not reachable`);
  const { keep, take } = factors(args);
  const out = backend.makeOutput(avg.shape, 'float32');
  simd.blend(
    heapOffset(backend, avg),
    heapOffset(backend, w),
    heapOffset(backend, out),
    avg.shape.reduce((p, d) => p * d, 1),
    keep,
    take,
  );
  return out;
};
