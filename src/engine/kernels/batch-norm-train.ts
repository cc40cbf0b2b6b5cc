/**
 * Batch norm in training as two kernels, for engines that pay per kernel (webgpu): tfjs-layers
 * computes it as moments (Mean, Sub, Square, Mean), FusedBatchNorm and six kernels of moving
 * averages forward, and about thirty kernels backward through all of them.
 *
 * "GanBatchNormTrain": inputs x [..., C], scale, offset, movingMean, movingVariance [C]; attrs
 * epsilon, momentum. Outputs y, stats [2, C] (the batch mean and biased variance, as tfjs's
 * moments computes them), movingMean′ and movingVariance′ (m − (m − batch value)·(1 − momentum),
 * tfjs-layers' update).
 * "GanBatchNormTrainGrad": inputs dy, x, scale, stats; attr epsilon. Outputs dx, dscale, doffset,
 * the gradient through the batch statistics too (N rows, x̂ = (x − mean)/√(var + ε)):
 *   doffset = Σ dy,  dscale = Σ dy·x̂,  dx = scale/√(var + ε) · (dy − (doffset + x̂·dscale)/N).
 */
export const BATCH_NORM_TRAIN = 'GanBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'GanBatchNormTrainGrad';

export interface BatchNormTrainAttrs {
  epsilon: number;
  momentum: number;
}
