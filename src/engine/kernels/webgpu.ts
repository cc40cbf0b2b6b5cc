/**
 * Kernel patches for the webgpu engine (tfjs-backend-webgpu). On a GPU an iteration's time is
 * mostly the cost of issuing kernels, not of running them (docs/engines.md), so these cut
 * dispatches and replace the one slow shader:
 *  - Conv2DBackpropFilter as one ordinary dilated convolution (conv2d-filter-grad.ts), which
 *    runs on webgpu's matrix-product convolution instead of its direct filter-gradient shader;
 *  - GanAdamUpdate: an Adam step per variable as three small shaders (first moment, second
 *    moment, the step) instead of tfjs's fourteen element-wise kernels;
 *  - GanEmaUpdate: the generator average's blend as one shader instead of three kernels.
 * The shaders compute each value with the same operations in the same order as tfjs's kernels.
 */
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { ADAM_UPDATE, adamInputs, type AdamUpdateAttrs } from './adam-update.js';
import { conv2dFilterGrad } from './conv2d-filter-grad.js';
import { EMA_UPDATE, type EmaUpdateAttrs } from './ema-update.js';
import { kernelInvoker } from './invoke.js';
import { addKernel, replaceKernel } from './register.js';

const BACKEND = 'webgpu';
const WORKGROUP = 128;

/** What tfjs-backend-webgpu's runWebGPUProgram needs of a program (its WebGPUProgram interface). */
interface ElementwiseProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms: string;
  getUserCode(): string;
}

interface WebgpuBackendLike extends KernelBackend {
  runWebGPUProgram(
    program: ElementwiseProgram,
    inputs: TensorInfo[],
    dtype: 'float32',
    uniforms: { type: 'float32'; data: number[] }[],
  ): TensorInfo;
}

/** A flat program over a float32 tensor of `shape`: `body` computes `value` from the inputs at `index`. */
function elementwise(
  key: string,
  shape: number[],
  inputs: string[],
  uniforms: string[],
  body: string,
): ElementwiseProgram {
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    outputShape: shape,
    shaderKey: `gan_${key}`,
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: [Math.ceil(size / WORKGROUP), 1, 1],
    variableNames: inputs,
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    uniforms: uniforms.map((u) => `${u} : f32,`).join(' '),
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${body}
          setOutputAtIndex(index, value);
        }
      }`,
  };
}

const f32 = (x: number) => ({ type: 'float32' as const, data: [Math.fround(x)] });

/** out = a·keep + b·take (the moving average, and Adam's first moment). */
function blend(backend: WebgpuBackendLike, a: TensorInfo, b: TensorInfo, keep: number, take: number): TensorInfo {
  const program = elementwise(
    'blend',
    a.shape,
    ['A', 'B'],
    ['keep', 'take'],
    'let value = A[index] * uniforms.keep + B[index] * uniforms.take;',
  );
  return backend.runWebGPUProgram(program, [a, b], 'float32', [f32(keep), f32(take)]);
}

/** out = a·keep + b²·take (Adam's second moment). */
function blendSquare(backend: WebgpuBackendLike, a: TensorInfo, b: TensorInfo, keep: number, take: number): TensorInfo {
  const program = elementwise(
    'blend_square',
    a.shape,
    ['A', 'B'],
    ['keep', 'take'],
    'let value = A[index] * uniforms.keep + (B[index] * B[index]) * uniforms.take;',
  );
  return backend.runWebGPUProgram(program, [a, b], 'float32', [f32(keep), f32(take)]);
}

const adamUpdate: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, m, v, g, accBeta1, accBeta2 } = adamInputs({ inputs });
  const gpu = backend as WebgpuBackendLike;
  const { learningRate, beta1, beta2, epsilon } = attrs as unknown as AdamUpdateAttrs;
  const m1 = blend(gpu, m, g, beta1, 1 - beta1);
  const v1 = blendSquare(gpu, v, g, beta2, 1 - beta2);
  // x + (m̂ / (√v̂ + ε))·(−lr), with m̂ = m₁/(1 − β₁ᵗ) and v̂ = v₁/(1 − β₂ᵗ), as tfjs's Adam orders it.
  const step = elementwise(
    'adam_step',
    x.shape,
    ['X', 'M', 'V', 'B1', 'B2'],
    ['negLr', 'eps'],
    `let mHat = M[index] / (1.0 - B1[0]);
          let vHat = V[index] / (1.0 - B2[0]);
          let value = (mHat / (sqrt(vHat) + uniforms.eps)) * uniforms.negLr + X[index];`,
  );
  const x1 = gpu.runWebGPUProgram(step, [x, m1, v1, accBeta1, accBeta2], 'float32', [f32(-learningRate), f32(epsilon)]);
  return [x1, m1, v1];
};

const emaUpdate: KernelFunc = ({ inputs, backend, attrs }) => {
  const { avg, w } = inputs;
  if (!avg || !w) throw new Error(`${EMA_UPDATE}: inputs avg and w are required`);
  const { keep, take } = attrs as unknown as EmaUpdateAttrs;
  return blend(backend as WebgpuBackendLike, avg, w, keep, take);
};

const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  if (!x || !dy) throw new Error('Conv2DBackpropFilter: inputs x and dy are required');
  return conv2dFilterGrad(
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
  if (addKernel(ADAM_UPDATE, BACKEND, adamUpdate)) names.push(ADAM_UPDATE);
  if (addKernel(EMA_UPDATE, BACKEND, emaUpdate)) names.push(EMA_UPDATE);
  return names;
}
