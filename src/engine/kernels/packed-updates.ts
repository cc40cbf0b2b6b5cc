/**
 * Adam and the generator average over all of a network's weights as one kernel each
 * ("GanAdamUpdatePacked", "GanEmaUpdatePacked"), for engines that pay per kernel more than per
 * value (webgpu: each kernel is a GPU dispatch issued from JavaScript). Inputs are numbered per
 * weight: x0, m0, v0, g0, x1, … plus accBeta1 and accBeta2 for Adam; avg0, w0, avg1, … for the
 * average. Outputs: every x′, then every m′, then every v′ (Adam); every avg′ (the average).
 * Each value is computed with the operations, in the order, of the one-weight kernels
 * (adam-update.ts, ema-update.ts).
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { AdamUpdateAttrs } from './adam-update.js';
import type { EmaUpdateAttrs } from './ema-update.js';

export const ADAM_UPDATE_PACKED = 'GanAdamUpdatePacked';
export const EMA_UPDATE_PACKED = 'GanEmaUpdatePacked';

export interface PackedAttrs {
  /** Number of weights. */
  count: number;
}
export type AdamUpdatePackedAttrs = AdamUpdateAttrs & PackedAttrs;
export type EmaUpdatePackedAttrs = EmaUpdateAttrs & PackedAttrs;

/** The inputs `${prefix}0`, `${prefix}1`, … of a packed kernel. */
export function numberedInputs(
  kernel: string,
  inputs: Record<string, TensorInfo | undefined>,
  prefix: string,
  count: number,
): TensorInfo[] {
  return Array.from({ length: count }, (_, i) => {
    const t = inputs[`${prefix}${i}`];
    if (!t) throw new Error(`${kernel}: input ${prefix}${i} is required`);
    return t;
  });
}

/** The numbered input map of a packed kernel: { x0: xs[0], m0: ms[0], … }. */
export function numbered(groups: Record<string, readonly object[]>): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [prefix, tensors] of Object.entries(groups)) tensors.forEach((t, i) => (out[`${prefix}${i}`] = t));
  return out;
}
