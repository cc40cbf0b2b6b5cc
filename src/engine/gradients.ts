// A gradient tfjs registers slowly for this engine's purposes.
import * as tf from '@tensorflow/tfjs';

/**
 * LeakyReLU's gradient as dy · step(x, α) instead of tfjs's where(greater(x, 0), dy, α·dy):
 * the same values (dy where x > 0, α·dy elsewhere) from two fast kernels instead of three,
 * two of them slow on wasm (docs/engines.md). Its own gradient (needed by gradient penalties)
 * is dy'·step(x, α) with respect to dy, and zero through Step, exactly as before.
 */
export function registerFastLeakyReluGradient(): void {
  tf.registerGradient({
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as tf.Tensor[];
      const { alpha } = attrs as unknown as { alpha: number };
      return { x: () => tf.mul(dy as tf.Tensor, tf.step(x!, alpha)) };
    },
  });
}
