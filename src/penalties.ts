// Penalties on the discriminator's input gradient. Both differentiate D twice: once for the
// penalty, once more for D's update (every engine registers the comparison gradients a second
// derivative through tfjs's LeakyReLU needs: engine/gradients.ts).
import * as tf from '@tensorflow/tfjs';

/** D as a function of its image input (labels, if any, already bound). */
export type Critic = (images: tf.Tensor4D) => tf.Tensor;

/** Per-example squared L2 norm of ∂ΣD(x)/∂x. Each D output depends only on its own image. */
function inputGradientSquaredNorms(critic: Critic, images: tf.Tensor4D): tf.Tensor1D {
  const grad = tf.grad((x: tf.Tensor) => tf.sum(critic(x as tf.Tensor4D)))(images);
  return tf.sum(tf.square(grad), [1, 2, 3]) as tf.Tensor1D;
}

/**
 * WGAN-GP (Gulrajani et al. 2017, eq. 3): λ·E[(‖∇D(x̂)‖₂ − 1)²] at x̂ = εx + (1−ε)G(z) with
 * ε ~ U[0, 1] per example.
 */
export function gradientPenalty(critic: Critic, real: tf.Tensor4D, fake: tf.Tensor4D, seed: number): tf.Scalar {
  return tf.tidy(() => {
    const eps = tf.randomUniform([real.shape[0], 1, 1, 1], 0, 1, 'float32', seed);
    const mixed = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake)) as tf.Tensor4D;
    // A small epsilon keeps sqrt's gradient finite where the input gradient is exactly zero.
    const norms = tf.sqrt(tf.add(inputGradientSquaredNorms(critic, mixed), 1e-12));
    return tf.mean(tf.square(tf.sub(norms, 1)));
  });
}

/** R1 (Mescheder et al. 2018): ½·E[‖∇D(x)‖²] on real images (the weight γ is applied by the caller). */
export function r1Penalty(critic: Critic, real: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => tf.mul(0.5, tf.mean(inputGradientSquaredNorms(critic, real))));
}
