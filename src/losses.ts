// GAN objectives on discriminator (critic) outputs, chosen by `train.loss`. Each is a pair of
// pure functions: D's loss from its outputs on a real and a fake batch, and G's loss from D's
// outputs on a fake batch. Penalties that need D itself (gradient penalties) are in
// penalties.ts; the trainer adds them.
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from './config.js';

export interface Objective {
  /** True when D's loss is only meaningful with the gradient penalty (WGAN-GP's critic). */
  usesGradientPenalty: boolean;
  discriminatorLoss(realOut: tf.Tensor, fakeOut: tf.Tensor): tf.Scalar;
  generatorLoss(fakeOut: tf.Tensor): tf.Scalar;
}

/**
 * Non-saturating cross-entropy (Goodfellow et al. 2014, sec. 3): D minimises
 * BCE(1, D(x)) + BCE(0, D(G(z))); G minimises BCE(1, D(G(z))) instead of -BCE(0, D(G(z))),
 * which has strong gradients early on when D easily rejects fakes.
 * With logits l: BCE(1, l) = softplus(-l) and BCE(0, l) = softplus(l), exact and stable.
 */
export const nonSaturatingBce: Objective = {
  usesGradientPenalty: false,
  discriminatorLoss: (real, fake) =>
    tf.tidy(() => tf.add(tf.mean(tf.softplus(tf.neg(real))), tf.mean(tf.softplus(fake)))),
  generatorLoss: (fake) => tf.tidy(() => tf.mean(tf.softplus(tf.neg(fake)))),
};

/**
 * Hinge loss (Lim & Ye 2017; Miyato et al. 2018): D minimises E[max(0, 1 - D(x))] +
 * E[max(0, 1 + D(G(z)))]; G minimises -E[D(G(z))].
 */
export const hinge: Objective = {
  usesGradientPenalty: false,
  discriminatorLoss: (real, fake) =>
    tf.tidy(() => tf.add(tf.mean(tf.relu(tf.sub(1, real))), tf.mean(tf.relu(tf.add(1, fake))))),
  generatorLoss: (fake) => tf.tidy(() => tf.neg(tf.mean(fake)) as tf.Scalar),
};

/**
 * Least squares GAN (Mao et al. 2017, a-b-c = 0-1-1): D minimises ½E[(D(x) - 1)²] +
 * ½E[D(G(z))²]; G minimises ½E[(D(G(z)) - 1)²].
 */
export const leastSquares: Objective = {
  usesGradientPenalty: false,
  discriminatorLoss: (real, fake) =>
    tf.tidy(() => tf.mul(0.5, tf.add(tf.mean(tf.square(tf.sub(real, 1))), tf.mean(tf.square(fake))))),
  generatorLoss: (fake) => tf.tidy(() => tf.mul(0.5, tf.mean(tf.square(tf.sub(fake, 1))))),
};

/**
 * Wasserstein critic loss (Arjovsky et al. 2017): the critic minimises E[D(G(z))] - E[D(x)];
 * G minimises -E[D(G(z))]. The Lipschitz constraint comes from the gradient penalty
 * (Gulrajani et al. 2017), which the trainer adds with weight `train.gp_weight`.
 */
export const wasserstein: Objective = {
  usesGradientPenalty: true,
  discriminatorLoss: (real, fake) => tf.tidy(() => tf.sub(tf.mean(fake), tf.mean(real))),
  generatorLoss: (fake) => tf.tidy(() => tf.neg(tf.mean(fake)) as tf.Scalar),
};

const OBJECTIVES: Record<TrainConfig['loss'], Objective> = {
  bce: nonSaturatingBce,
  hinge,
  lsgan: leastSquares,
  'wgan-gp': wasserstein,
};

export function objectiveFor(loss: TrainConfig['loss']): Objective {
  return OBJECTIVES[loss];
}
