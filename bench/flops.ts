/**
 * Analytic FLOP count of one GAN training iteration (d_steps = 1) from the
 * models' layer shapes. Only layers with a weight matrix are counted (Dense,
 * Conv2D, Conv2DTranspose); element-wise work (activations, batch norm, Adam)
 * is ignored. FLOPs = 2 × multiply-adds (MACs).
 *
 * Forward MACs of one layer for a batch of B:
 *   Dense            B · in · units                       (kernel in×units)
 *   Conv2D           B · OH · OW · KH · KW · CI · CO      (OH×OW = output positions)
 *   Conv2DTranspose  B · H · W · KH · KW · CO · CI        (H×W = input positions)
 * A layer's backward pass costs its forward MACs once for the weight gradient
 * (dW) and once for the input gradient (dX).
 *
 * With G_f, D_f the forward MACs of the whole generator/discriminator and G₁,
 * D₁ those of their first weighted layers (whose input gradient no one needs
 * when the input is a constant: z, labels, or images in the D step):
 *   D step: G forward, D forward on real and on fake, dW of D for both,
 *           dX of D (except D₁) for both    → G_f + 2·D_f + 2·D_f + 2·(D_f − D₁)
 *   G step: G forward, D forward, dX of all of D (down to the image), dW and
 *           dX (except G₁) of G             → G_f + D_f + D_f + G_f + (G_f − G₁)
 *   total MACs = (4·G_f − G₁) + (8·D_f − 2·D₁)
 * This is what the mathematics requires; tfjs's fused conv/matmul gradients
 * also compute D's dW in the G step and D₁'s dX in the D step, which is extra
 * work the engine does and is not counted here.
 */
import type * as tf from '@tensorflow/tfjs';

type Shape = Array<number | null>;

interface LayerLike {
  getClassName(): string;
  getWeights(): tf.Tensor[];
  inboundNodes: Array<{ inboundLayers: LayerLike[]; inputShapes: Shape | Shape[]; outputShapes: Shape | Shape[] }>;
}

/** The first shape of a node's input or output shapes (a shape or a list of shapes). */
const firstShape = (s: Shape | Shape[]): Shape => (Array.isArray(s[0]) ? (s as Shape[])[0]! : (s as Shape));

/** Forward multiply-adds of one layer per example (0 for layers without a weight matrix). */
export function layerMacsPerExample(layer: LayerLike): number {
  const kernel = layer.getWeights()[0];
  if (!kernel) return 0;
  switch (layer.getClassName()) {
    case 'Dense':
      return kernel.size;
    case 'Conv2D': {
      const [, oh, ow] = firstShape(layer.inboundNodes[0]!.outputShapes);
      return oh! * ow! * kernel.size;
    }
    case 'Conv2DTranspose': {
      const [, h, w] = firstShape(layer.inboundNodes[0]!.inputShapes);
      return h! * w! * kernel.size;
    }
    default:
      return 0;
  }
}

/** True when some layer upstream of `layer` has a weight matrix. */
function hasWeightedUpstream(layer: LayerLike, seen = new Set<LayerLike>()): boolean {
  for (const node of layer.inboundNodes) {
    for (const up of node.inboundLayers) {
      if (seen.has(up)) continue;
      seen.add(up);
      if (layerMacsPerExample(up) > 0 || hasWeightedUpstream(up, seen)) return true;
    }
  }
  return false;
}

export interface NetworkMacs {
  /** Forward MACs per example of the whole network. */
  forward: number;
  /** Forward MACs per example of the weighted layers fed by inputs only. */
  first: number;
}

export function networkMacs(model: tf.LayersModel): NetworkMacs {
  let forward = 0;
  let first = 0;
  for (const layer of model.layers as unknown as LayerLike[]) {
    const macs = layerMacsPerExample(layer);
    forward += macs;
    if (macs > 0 && !hasWeightedUpstream(layer)) first += macs;
  }
  return { forward, first };
}

/** FLOPs of one training iteration at batch `batch` (formula in the header). */
export function iterationFlops(generator: tf.LayersModel, discriminator: tf.LayersModel, batch: number): number {
  const g = networkMacs(generator);
  const d = networkMacs(discriminator);
  const macs = 4 * g.forward - g.first + 8 * d.forward - 2 * d.first;
  return 2 * batch * macs;
}

export const FLOP_FOOTNOTE =
  'GFLOP/s = analytic FLOPs per iteration / median iteration time; FLOPs = 2·MACs of dense/conv layers only, ' +
  'MACs = (4·G_f − G₁) + (8·D_f − 2·D₁) (G_f, D_f: forward MACs of G and D at batch 64; G₁, D₁: their first ' +
  'weighted layers; ' +
  "see bench/flops.ts). This is also all the engine computes: src/engine/prunable-fused-ops.ts keeps tfjs's fused " +
  "ops from adding D's dW in the G step and D₁'s dX in the D step.";
