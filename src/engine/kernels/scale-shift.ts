/**
 * A weight-normalised layer's output from its product p = x·v in one kernel ("GanScaleShift"):
 * out = act(p·scale + bias), scale and bias per column, act ReLU or the identity — where tfjs runs
 * Multiply, Add and Relu forward and six kernels backward. Its gradient is one kernel too
 * ("GanScaleShiftGrad", three outputs: dp, dScale, dBias; registered in engine/gradients.ts).
 * The forward pass rounds as Multiply then Add do, so it is bit-identical to the stock ops; the
 * column sums of the gradient are taken row by row and agree with tfjs's Sum to float32 rounding.
 * wasm only: kernels.wat's `scaleShift` and `scaleShiftGrad` on the heap.
 */
import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, simdKernelsFor } from '../simd/simd-kernels.js';
import type { WasmHeap } from './wasm-heap.js';

export const SCALE_SHIFT = 'GanScaleShift';
export const SCALE_SHIFT_GRAD = 'GanScaleShiftGrad';

export interface ScaleShiftAttrs {
  relu: boolean;
}

function matrixOf(kernel: string, p: TensorInfo | undefined, ...columns: (TensorInfo | undefined)[]) {
  if (!p || p.shape.length !== 2 || p.dtype !== 'float32') throw new Error(`${kernel}: p must be a float32 matrix`);
  const [rows, cols] = p.shape as [number, number];
  for (const c of columns)
    if (!c || c.dtype !== 'float32' || c.shape.length !== 1 || c.shape[0] !== cols)
      throw new Error(`${kernel}: scale and bias must be float32 vectors of ${cols}`);
  return { rows, cols };
}

function heapKernels(kernel: string, args: Parameters<KernelFunc>[0]) {
  const backend = args.backend as KernelBackend & WasmHeap;
  const simd = simdKernelsFor(backend);
  if (!simd) throw new Error(`${kernel}: the wasm heap is not reachable`);
  return { backend, simd, at: (t: TensorInfo) => heapOffset(backend, t) };
}

export const wasmScaleShift: KernelFunc = (args) => {
  const { p, scale, bias } = args.inputs;
  const { rows, cols } = matrixOf(SCALE_SHIFT, p, scale, bias);
  const { backend, simd, at } = heapKernels(SCALE_SHIFT, args);
  const { relu } = args.attrs as unknown as ScaleShiftAttrs;
  const out = backend.makeOutput([rows, cols], 'float32');
  simd.scaleShift(at(p!), at(scale!), at(bias!), at(out), rows, cols, relu ? 1 : 0);
  return out;
};

export const wasmScaleShiftGrad: KernelFunc = (args) => {
  const { dy, p, y, scale } = args.inputs;
  const { rows, cols } = matrixOf(SCALE_SHIFT_GRAD, p, scale);
  for (const t of [dy, y])
    if (!t || t.dtype !== 'float32' || t.shape[0] !== rows || t.shape[1] !== cols)
      throw new Error(`${SCALE_SHIFT_GRAD}: dy and y must be float32 like p`);
  const { backend, simd, at } = heapKernels(SCALE_SHIFT_GRAD, args);
  const { relu } = args.attrs as unknown as ScaleShiftAttrs;
  const dp = backend.makeOutput([rows, cols], 'float32');
  const dScale = backend.makeOutput([cols], 'float32');
  const dBias = backend.makeOutput([cols], 'float32');
  simd.scaleShiftGrad(at(dy!), at(p!), at(y!), at(scale!), at(dp), at(dScale), at(dBias), rows, cols, relu ? 1 : 0);
  return [dp, dScale, dBias];
};
