/**
 * Lets tfjs's gradient tape skip the gradients a GAN update does not need.
 *
 * tfjs-layers' Conv2D and Dense layers call `tf.fused.conv2d` / `tf.fused.matMul` (with their
 * bias, activation 'linear'). Those fused ops define one custom gradient that always computes
 * dx, dW and db together, so the tape cannot prune any of them. In a GAN that waste is large:
 * the G step back-propagates through D only to reach G's weights, yet pays for every D weight
 * gradient (a Conv2DBackpropFilter per D conv); the D step pays for the input gradient of D's
 * first layer, whose input (an image batch) is no variable. The plain ops `conv2d`, `matMul`
 * and `add` register one gradient function per input, and the tape calls only those on a path
 * from a trained variable — so under a tape (ENGINE.state.gradientDepth > 0) we route linear
 * fused calls through them. Same math and the same product kernels, but the bias is added
 * after the product is rounded instead of inside it, so outputs agree with the fused kernels
 * to float32 rounding, not bit for bit; outside a tape (sampling, evaluation) the fused
 * kernels stay. tfjs itself unfuses the same way for
 * non-linear activations under a tape (fused_util shouldFuse); we only extend it to 'linear'.
 */
import * as tf from '@tensorflow/tfjs';

type FusedConv2dArgs = Parameters<typeof tf.fused.conv2d>[0];
type FusedMatMulArgs = Parameters<typeof tf.fused.matMul>[0];

function underGradientTape(): boolean {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number } }).state;
  return state.gradientDepth > 0;
}

/** Only calls we can express exactly as product + bias are rerouted. */
function isLinear(args: { activation?: string | null; preluActivationWeights?: unknown }): boolean {
  return (args.activation ?? 'linear') === 'linear' && args.preluActivationWeights == null;
}

function addBias<T extends tf.Tensor>(y: T, bias: tf.Tensor | tf.TensorLike | null | undefined): T {
  return bias == null ? y : (tf.add(y, bias) as T);
}

const fused = tf.fused as { conv2d: typeof tf.fused.conv2d; matMul: typeof tf.fused.matMul };
const fusedConv2d = fused.conv2d;
const fusedMatMul = fused.matMul;

/** Installs the routing (idempotent; tf.fused is shared by every backend). */
export function unfuseLinearOpsUnderTape(): void {
  fused.conv2d = (<T extends tf.Tensor3D | tf.Tensor4D>(args: FusedConv2dArgs): T => {
    if (!underGradientTape() || !isLinear(args) || (args.dataFormat ?? 'NHWC') !== 'NHWC') return fusedConv2d(args) as T;
    const y = tf.conv2d(args.x as tf.Tensor4D, args.filter as tf.Tensor4D, args.strides, args.pad, 'NHWC', args.dilations, args.dimRoundingMode);
    return addBias(y, args.bias) as unknown as T;
  }) as typeof fusedConv2d;
  fused.matMul = ((args: FusedMatMulArgs): tf.Tensor => {
    if (!underGradientTape() || !isLinear(args)) return fusedMatMul(args);
    return addBias(tf.matMul(args.a, args.b, args.transposeA, args.transposeB), args.bias);
  }) as typeof fusedMatMul;
}

/** Puts tfjs's own fused ops back (A/B benchmarks and equivalence tests). */
export function restoreFusedOps(): void {
  fused.conv2d = fusedConv2d;
  fused.matMul = fusedMatMul;
}
