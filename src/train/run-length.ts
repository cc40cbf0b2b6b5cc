// The length of a run in iterations: what the epoch loop counts, and where train.lr_decay's
// fall ends. One place, so the loop and the learning-rate schedule always agree.
import type { TrainConfig } from '../config.js';

/** GAN iterations in one epoch: each takes d_steps real batches (an incomplete last batch is dropped). */
export function iterationsPerEpoch(imageCount: number, train: Pick<TrainConfig, 'batch_size' | 'd_steps'>): number {
  return Math.floor(Math.floor(imageCount / train.batch_size) / train.d_steps);
}

/** Iterations (generator updates) in a whole run of train.epochs over this many images. */
export function runIterations(
  imageCount: number,
  train: Pick<TrainConfig, 'epochs' | 'batch_size' | 'd_steps'>,
): number {
  return train.epochs * iterationsPerEpoch(imageCount, train);
}
