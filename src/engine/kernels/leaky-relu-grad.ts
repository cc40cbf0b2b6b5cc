/**
 * LeakyReLU's gradient dy · step(x, α) as one kernel ("GanLeakyReluGrad", webgpu) instead of Step
 * and Multiply: the same values (dy where x > 0, α·dy elsewhere, NaN where x is NaN). Inputs dy, x;
 * attr alpha. Its own gradient (gradient penalties differentiate it) is the same kernel on dy's
 * gradient, and zero with respect to x (src/engine/gradients.ts).
 */
import type { KernelFunc } from '@tensorflow/tfjs';
import { elementwiseProgram, float, type ProgramBackend } from './webgpu-program.js';

export const LEAKY_RELU_GRAD = 'GanLeakyReluGrad';

export const webgpuLeakyReluGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x } = inputs;
  if (!dy || !x) throw new Error(`${LEAKY_RELU_GRAD}: inputs dy and x are required`);
  const { alpha } = attrs as unknown as { alpha: number };
  // tfjs's Step: NaN stays NaN, x > 0 gives 1, anything else α.
  const program = elementwiseProgram(
    'leaky_relu_grad',
    [...x.shape],
    ['dy', 'x'],
    'alpha : f32,',
    `let v = x[index];
          var s = uniforms.alpha;
          if (v > 0.0) { s = 1.0; }
          if (isnan(v)) { s = v; }
          let value = dy[index] * s;`,
  );
  return (backend as unknown as ProgramBackend).runWebGPUProgram(program, [dy, x], 'float32', [float(alpha)]);
};
