// Gradients tfjs does not register. Gradient penalties (WGAN-GP, R1) differentiate D's input
// gradient again; LeakyReLU's gradient builds a mask with `greater(x, 0)`, and with no
// gradient registered for Greater the second derivative fails ("gradient function not found
// for Greater"). Comparisons are piecewise constant, so their gradient is exactly zero almost
// everywhere; registering that makes second-order gradients work on every engine.
import * as tf from '@tensorflow/tfjs';

const COMPARISONS = ['Greater', 'Less', 'LessEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr'];

/** Registers zero gradients for comparison kernels that have none; idempotent. */
export function registerMissingGradients(): string[] {
  const added: string[] = [];
  for (const kernelName of COMPARISONS) {
    if (tf.getGradient(kernelName) !== undefined) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as tf.Tensor[];
        return { a: () => tf.zerosLike(a!), b: () => tf.zerosLike(b!) };
      },
    });
    added.push(kernelName);
  }
  return added;
}
