/**
 * Kernel patches for the cpu backend.
 *
 * Conv2DBackpropFilter: the stock kernel is a naive per-element loop through
 * TensorBuffer.get (docs/benchmarks.md#kernels); replaced by the blocked loop in
 * cpu-conv2d-filter-grad.ts.
 *
 * Conv2D, Conv2DBackpropInput, FusedConv2D: the stock kernels are several times
 * slower than the fused-tap loops in cpu-conv2d.ts that replace them.
 *
 * Transform: the stock kernel transforms only the first image of a batch (cpu-transform.ts).
 *
 * GanAdamUpdate, GanEmaUpdate (our own kernels): one Adam step per variable
 * (adam-update.ts), one moving-average step per generator weight (ema-update.ts).
 */
import type { Conv2DBackpropFilterAttrs, KernelFunc } from '@tensorflow/tfjs';
import { cpuConv2dFilterGrad, type CpuStorage } from './cpu-conv2d-filter-grad.js';
import { ADAM_UPDATE, cpuAdamUpdate } from './adam-update.js';
import { cpuEmaUpdate, EMA_UPDATE } from './ema-update.js';
import { makeCpuConv2d, makeCpuConv2dBackpropInput, makeCpuFusedConv2d } from './cpu-conv2d.js';
import { makeCpuTransform } from './cpu-transform.js';
import { addKernel, replaceKernel } from './register.js';

const BACKEND = 'cpu';

const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter: inputs x and dy are required');
  return cpuConv2dFilterGrad(backend as CpuStorage, x, dy, attrs as unknown as Conv2DBackpropFilterAttrs);
};

/** Registers the cpu patches; returns the names of the kernels now patched. */
export function registerCpuKernels(): string[] {
  const names: string[] = [];
  if (replaceKernel('Conv2DBackpropFilter', BACKEND, () => conv2dBackpropFilter)) names.push('Conv2DBackpropFilter');
  if (replaceKernel('Conv2D', BACKEND, makeCpuConv2d)) names.push('Conv2D');
  if (replaceKernel('Conv2DBackpropInput', BACKEND, makeCpuConv2dBackpropInput)) names.push('Conv2DBackpropInput');
  if (replaceKernel('FusedConv2D', BACKEND, makeCpuFusedConv2d)) names.push('FusedConv2D');
  if (replaceKernel('Transform', BACKEND, makeCpuTransform)) names.push('Transform');
  if (addKernel(ADAM_UPDATE, BACKEND, cpuAdamUpdate)) names.push(ADAM_UPDATE);
  if (addKernel(EMA_UPDATE, BACKEND, cpuEmaUpdate)) names.push(EMA_UPDATE);
  return names;
}
