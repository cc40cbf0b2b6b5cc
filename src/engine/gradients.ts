// Gradients tfjs registers in a slow form (the same values, from cheaper kernels), and those of our own kernels.
import * as tf from '@tensorflow/tfjs';
import { ADD_NORMAL_NOISE } from './kernels/add-normal-noise.js';
import { LEAKY_RELU_GRAD } from './kernels/leaky-relu-grad.js';
import { SCALE_SHIFT, SCALE_SHIFT_GRAD } from './kernels/scale-shift.js';

/**
 * LeakyReLU's gradient as dy · step(x, α) instead of tfjs's where(greater(x, 0), dy, α·dy):
 * the same values (dy where x > 0, α·dy elsewhere) from two fast kernels instead of three,
 * two of them slow on wasm (docs/engines.md), or one of ours on webgpu. Its own gradient (needed by gradient penalties)
 * is dy'·step(x, α) with respect to dy, and zero through Step, exactly as before.
 */
export function registerFastLeakyReluGradient(): void {
  /** dy · step(x, α): one kernel where the engine has ours (webgpu), else Step and Multiply. */
  const leakyGrad = (dy: tf.Tensor, x: tf.Tensor, attrs: tf.NamedAttrMap): tf.Tensor => {
    if (tf.getKernel(LEAKY_RELU_GRAD, tf.getBackend()))
      return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, attrs) as tf.Tensor;
    return tf.mul(dy, tf.step(x, (attrs as unknown as { alpha: number }).alpha));
  };
  tf.registerGradient({
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as tf.Tensor[];
      return { x: () => leakyGrad(dy as tf.Tensor, x!, attrs) };
    },
  });
  tf.registerGradient({
    kernelName: LEAKY_RELU_GRAD,
    inputsToSave: ['x'],
    gradFunc: (dz, saved, attrs) => {
      const [x] = saved as tf.Tensor[];
      return { dy: () => leakyGrad(dz as tf.Tensor, x!, attrs), x: () => tf.zerosLike(x!) };
    },
  });
}

/**
 * The gradients of Sum and Mean as a broadcast of dy instead of tfjs's dy · ones(x.shape): the
 * same values (multiplying by one is exact), without building a ones tensor of x's full shape in
 * JavaScript and uploading it on every backward pass — on the webgpu engine that upload was one
 * of the largest costs of an iteration (docs/engines.md).
 */
export function registerBroadcastReductionGradients(): void {
  const expandedDy = (dy: tf.Tensor, x: tf.Tensor, axis: number | number[]) => {
    const axes = tf.util.parseAxisParam(axis, x.shape);
    return tf.broadcastTo(
      tf.reshape(
        dy,
        x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
      ),
      x.shape,
    );
  };
  tf.registerGradient({
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as tf.Tensor[];
      const { axis } = attrs as unknown as { axis: number | number[] };
      return { x: () => expandedDy(dy as tf.Tensor, x!, axis) };
    },
  });
  tf.registerGradient({
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as tf.Tensor[];
      const { axis } = attrs as unknown as { axis: number | number[] };
      const axes = tf.util.parseAxisParam(axis, x!.shape);
      const reduceSize = axes.reduce((n, a) => n * x!.shape[a]!, 1);
      return { x: () => tf.div(expandedDy(dy as tf.Tensor, x!, axis), reduceSize) };
    },
  });
}

/** GanAddNormalNoise adds a constant: its gradient passes dy through unchanged. */
export function registerAddNormalNoiseGradient(): void {
  tf.registerGradient({ kernelName: ADD_NORMAL_NOISE, gradFunc: (dy) => ({ x: () => tf.clone(dy as tf.Tensor) }) });
}

/**
 * GanScaleShift's gradient: one GanScaleShiftGrad call gives dp, dScale and dBias together. It runs
 * here, not inside the closures: tfjs runs each closure in its own tidy, which would dispose the
 * two outputs a closure does not return.
 */
export function registerScaleShiftGradient(): void {
  tf.registerGradient({
    kernelName: SCALE_SHIFT,
    inputsToSave: ['p', 'scale'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [p, scale, y] = saved as tf.Tensor[];
      const inputs = { dy: dy as tf.Tensor, p: p!, y: y!, scale: scale! };
      const [dp, dScale, dBias] = tf.engine().runKernel(SCALE_SHIFT_GRAD, inputs, attrs) as tf.Tensor[];
      return { p: () => dp!, scale: () => dScale!, bias: () => dBias! };
    },
  });
}

/**
 * Stock tfjs cannot take that second derivative: LeakyReLU's gradient builds a mask with
 * `greater(x, 0)`, and Greater has no registered gradient ("gradient function not found for
 * Greater"). Comparisons are piecewise constant, so their gradient is exactly zero almost
 * everywhere; registering that makes second-order gradients work on every engine. Idempotent.
 */
export function registerComparisonGradients(): void {
  for (const kernelName of ['Greater', 'Less', 'LessEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr']) {
    if (tf.getGradient(kernelName) !== undefined) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as tf.Tensor[];
        return { a: () => tf.zerosLike(a!), b: () => tf.zerosLike(b!) };
      },
    });
  }
}
