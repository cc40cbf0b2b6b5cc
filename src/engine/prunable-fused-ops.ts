/**
 * Fused linear layers whose gradients tfjs's tape can prune.
 *
 * tfjs-layers' Conv2D and Dense layers call `tf.fused.conv2d` / `tf.fused.matMul` (with their
 * bias, activation 'linear'). tfjs runs those through one custom gradient that always computes
 * dx, dW and db together, so the tape cannot skip any of them. In a GAN that waste is large: the
 * G step back-propagates through D only to reach G's weights, yet pays for every D weight
 * gradient (a Conv2DBackpropFilter per D conv); the D step pays for the input gradient of D's
 * first layer, whose input (an image batch) is no variable.
 *
 * Here linear calls run the same fused kernel (FusedConv2D, _FusedMatMul) straight through the
 * engine, and those kernels get a registered gradient of one lazy closure per input — tfjs's
 * own Conv2D and BatchMatMul gradients for x/filter and a/b, a sum of dy for the bias — so the
 * tape calls only the closures on a path from a trained variable. Forward results are the fused
 * kernels' with or without a tape (bit for bit), and one kernel with one weight id runs in the
 * D step, the G step and sampling, so wasm's XNNPACK operator cache (keyed on the weight and
 * bias tensors; packing the weights is most of a batch-64 dense layer's cost on a miss) hits
 * wherever the weights did not change. Second-order gradients (R1, WGAN-GP) go through the same
 * closures as tfjs's unfused ops. Calls with a non-linear activation, NCHW, dilations, or a
 * bias that is not one value per output channel keep tfjs's path (tfjs itself unfuses
 * non-linear activations under a tape).
 */
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';

type FusedConv2dArgs = Parameters<typeof tf.fused.conv2d>[0];
type FusedMatMulArgs = Parameters<typeof tf.fused.matMul>[0];

const FUSED_CONV2D = 'FusedConv2D';
const FUSED_MATMUL = '_FusedMatMul';

/** Only calls we can run as product + bias with per-input gradients are routed. */
function isLinear(args: { activation?: string | null; preluActivationWeights?: unknown }): boolean {
  return (args.activation ?? 'linear') === 'linear' && args.preluActivationWeights == null;
}

/** Undefined when absent; a float32 vector of `channels` values; null when unusable. */
function channelBias(bias: unknown, channels: number): Tensor | undefined | null {
  if (bias == null) return undefined;
  return bias instanceof tf.Tensor && bias.rank === 1 && bias.size === channels && bias.dtype === 'float32'
    ? bias
    : null;
}

const isFloatTensor = (t: unknown, rank: number): t is Tensor =>
  t instanceof tf.Tensor && t.rank === rank && t.dtype === 'float32';

/** Sum of dy over every axis but the last: the gradient of a per-channel bias. */
const biasGradient = (dy: Tensor) => (): Tensor => tf.sum(dy, [...Array(dy.rank - 1).keys()]);

function assertLinear(kernel: string, attrs: NamedAttrMap): void {
  if ((attrs.activation ?? 'linear') !== 'linear')
    throw new Error(`${kernel} gradient: only the linear activation is routed here, got ${String(attrs.activation)}`);
}

function registerPrunableGradients(): void {
  const conv2dGrad = tf.getGradient('Conv2D');
  const matMulGrad = tf.getGradient('BatchMatMul');
  if (!conv2dGrad || !matMulGrad)
    throw new Error('tfjs registers no Conv2D/BatchMatMul gradient: cannot route fused ops');
  const configs: GradConfig[] = [
    {
      kernelName: FUSED_CONV2D,
      inputsToSave: ['x', 'filter'],
      gradFunc: (dy, saved, attrs) => {
        assertLinear(FUSED_CONV2D, attrs);
        return { ...conv2dGrad.gradFunc(dy, saved, attrs), bias: biasGradient(dy as Tensor) };
      },
    },
    {
      kernelName: FUSED_MATMUL,
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved, attrs) => {
        assertLinear(FUSED_MATMUL, attrs);
        return { ...matMulGrad.gradFunc(dy, saved, attrs), bias: biasGradient(dy as Tensor) };
      },
    },
  ];
  for (const config of configs) if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
}

const fused = tf.fused as { conv2d: typeof tf.fused.conv2d; matMul: typeof tf.fused.matMul };
const tfjsFusedConv2d = fused.conv2d;
const tfjsFusedMatMul = fused.matMul;

function prunableConv2d(args: FusedConv2dArgs): Tensor | undefined {
  const { x, filter, strides, pad, dimRoundingMode } = args;
  const dilations = args.dilations ?? 1;
  const unitDilation = typeof dilations === 'number' ? dilations === 1 : dilations.every((d) => d === 1);
  if (
    !isLinear(args) ||
    (args.dataFormat ?? 'NHWC') !== 'NHWC' ||
    !unitDilation ||
    !isFloatTensor(x, 4) ||
    !isFloatTensor(filter, 4)
  )
    return undefined;
  const bias = channelBias(args.bias, filter.shape[3]!);
  if (bias === null) return undefined;
  const attrs = {
    strides,
    pad,
    dataFormat: 'NHWC',
    dilations,
    dimRoundingMode,
    activation: 'linear',
    leakyreluAlpha: 0,
  };
  return tf
    .engine()
    .runKernel(FUSED_CONV2D, bias ? { x, filter, bias } : { x, filter }, attrs as unknown as NamedAttrMap) as Tensor;
}

function prunableMatMul(args: FusedMatMulArgs): Tensor | undefined {
  const { a, b } = args;
  const transposeA = args.transposeA ?? false;
  const transposeB = args.transposeB ?? false;
  if (!isLinear(args) || !isFloatTensor(a, 2) || !isFloatTensor(b, 2)) return undefined;
  const rows = transposeA ? a.shape[1]! : a.shape[0]!;
  const cols = transposeB ? b.shape[0]! : b.shape[1]!;
  // tfjs reports a size mismatch itself.
  if ((transposeA ? a.shape[0] : a.shape[1]) !== (transposeB ? b.shape[1] : b.shape[0])) return undefined;
  const bias = channelBias(args.bias, cols);
  if (bias === null) return undefined;
  return tf.tidy(() => {
    // The kernel takes rank-3 operands (as tfjs's fused op reshapes them). Reshape kernels are
    // run directly: tf.reshape's op wrapper costs several times the kernel itself per call.
    const reshape = (x: Tensor, shape: number[]) => tf.engine().runKernel('Reshape', { x }, { shape }) as Tensor;
    const a3 = reshape(a, [1, ...a.shape]);
    const b3 = reshape(b, [1, ...b.shape]);
    const attrs = { transposeA, transposeB, activation: 'linear', leakyreluAlpha: 0 };
    const y = tf
      .engine()
      .runKernel(
        FUSED_MATMUL,
        bias ? { a: a3, b: b3, bias } : { a: a3, b: b3 },
        attrs as unknown as NamedAttrMap,
      ) as Tensor;
    return reshape(y, [rows, cols]);
  });
}

/** Installs the routing and the gradients (idempotent; tf.fused is shared by every backend). */
export function usePrunableFusedOps(): void {
  registerPrunableGradients();
  fused.conv2d = (<T extends tf.Tensor3D | tf.Tensor4D>(args: FusedConv2dArgs): T =>
    (prunableConv2d(args) ?? tfjsFusedConv2d(args)) as T) as typeof tfjsFusedConv2d;
  fused.matMul = ((args: FusedMatMulArgs): Tensor =>
    prunableMatMul(args) ?? tfjsFusedMatMul(args)) as typeof tfjsFusedMatMul;
}

/** Puts tfjs's own fused ops back (A/B benchmarks and equivalence tests). */
export function restoreFusedOps(): void {
  fused.conv2d = tfjsFusedConv2d;
  fused.matMul = tfjsFusedMatMul;
}
