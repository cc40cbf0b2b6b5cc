/**
 * Kernel patches for the webgpu engine (tfjs-backend-webgpu). On a GPU an iteration's time is
 * mostly the cost of issuing kernels, not of running them (docs/engines.md), so these cut
 * dispatches and replace the one slow shader:
 *  - Conv2DBackpropFilter as im2col and one matrix product (webgpu-filter-grad.ts) instead of
 *    webgpu's slow direct filter-gradient shader;
 *  - GanAdamUpdatePacked, GanEmaUpdatePacked: Adam over all of a network's weights, and the
 *    generator average over all of G's, as one dispatch each (webgpu-updates.ts) instead of
 *    about fourteen and three element-wise kernels per weight;
 *  - Sum and Mean over leading axes as one dispatch instead of a transpose and a reduction
 *    (webgpu-column-sums.ts);
 *  - batch norm in training as two kernels (webgpu-batch-norm.ts; src/engine/fused-batch-norm.ts
 *    routes the layer to them);
 *  - LeakyReLU's gradient as one dispatch instead of Step and Multiply (leaky-relu-grad.ts);
 *  - uploads through queue.writeBuffer into pooled buffers, not a staging buffer each
 *    (webgpu-uploads.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelFunc } from '@tensorflow/tfjs';
import { kernelInvoker } from './invoke.js';
import { ADAM_UPDATE_PACKED, EMA_UPDATE_PACKED } from './packed-updates.js';
import { addKernel, replaceKernel } from './register.js';
import { webgpuAdamUpdatePacked, webgpuEmaUpdatePacked } from './webgpu-updates.js';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from './batch-norm-train.js';
import { LEAKY_RELU_GRAD, webgpuLeakyReluGrad } from './leaky-relu-grad.js';
import { webgpuBatchNormTrain, webgpuBatchNormTrainGrad } from './webgpu-batch-norm.js';
import { columnReduce } from './webgpu-column-sums.js';
import { webgpuFilterGrad } from './webgpu-filter-grad.js';
import { writeUploadsDirectly } from './webgpu-uploads.js';

const BACKEND = 'webgpu';

const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  if (!x || !dy) throw new Error('Conv2DBackpropFilter: inputs x and dy are required');
  return webgpuFilterGrad(
    kernelInvoker(backend as KernelBackend, BACKEND),
    x,
    dy,
    attrs as unknown as Conv2DBackpropFilterAttrs,
  );
};

/** Registers the webgpu patches; returns the names of the kernels now patched. */
export function registerWebgpuKernels(): string[] {
  const names: string[] = [];
  if (replaceKernel('Conv2DBackpropFilter', BACKEND, () => conv2dBackpropFilter)) names.push('Conv2DBackpropFilter');
  for (const [name, mean] of [
    ['Sum', false],
    ['Mean', true],
  ] as const) {
    if (replaceKernel(name, BACKEND, (stock) => columnReduce(stock, mean))) names.push(name);
  }
  if (addKernel(LEAKY_RELU_GRAD, BACKEND, webgpuLeakyReluGrad)) names.push(LEAKY_RELU_GRAD);
  if (addKernel(BATCH_NORM_TRAIN, BACKEND, webgpuBatchNormTrain)) names.push(BATCH_NORM_TRAIN);
  if (addKernel(BATCH_NORM_TRAIN_GRAD, BACKEND, webgpuBatchNormTrainGrad)) names.push(BATCH_NORM_TRAIN_GRAD);
  if (addKernel(ADAM_UPDATE_PACKED, BACKEND, webgpuAdamUpdatePacked)) names.push(ADAM_UPDATE_PACKED);
  if (addKernel(EMA_UPDATE_PACKED, BACKEND, webgpuEmaUpdatePacked)) names.push(EMA_UPDATE_PACKED);
  const backend = tf.findBackend(BACKEND);
  if (backend) {
    writeUploadsDirectly(backend);
  }
  return names;
}
