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

/**
 * The semi-supervised GAN's terms (Salimans et al. 2016, sec. 5), on D's K class logits l(x) with
 * the fake class's logit fixed at 0, so that D(x) = Z(x)/(Z(x) + 1), Z = Σₖ exp lₖ(x), and with
 * lse = log Σₖ exp lₖ:
 *   labelled    mean[lse(l(x)) − l_y(x)]                       (cross-entropy of the labelled batch)
 *   unlabelled  ½·(−mean lse(l(x)) + mean softplus(lse(l(x))) + mean softplus(lse(l(G(z)))))
 *               = ½·(−mean log D(x) − mean log(1 − D(G(z))))   (halved, as improved-gan does)
 *   generator   mean_j (mean_batch f_j(G(z)) − mean_batch f_j(x))²   (feature matching on f, D's
 *               last hidden layer; D's weights stay fixed)
 */
export const semiSupervised = {
  labelledLoss(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, oneHot), 1))));
  },
  unlabelledLoss(realLogits: tf.Tensor2D, fakeLogits: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => {
      const real = tf.logSumExp(realLogits, 1);
      const fake = tf.logSumExp(fakeLogits, 1);
      return tf.mul(0.5, tf.add(tf.sub(tf.mean(tf.softplus(real)), tf.mean(real)), tf.mean(tf.softplus(fake))));
    });
  },
  featureMatchingLoss(realFeatures: tf.Tensor2D, fakeFeatures: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.square(tf.sub(tf.mean(fakeFeatures, 0), tf.mean(realFeatures, 0)))));
  },
  /** Cross-entropy against self-labels, averaged over the rows that have one (mask 1). */
  selfLabelLoss(logits: tf.Tensor2D, oneHot: tf.Tensor2D, mask: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => {
      const ce = tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, oneHot), 1));
      return tf.div(tf.sum(tf.mul(ce, mask)), tf.maximum(tf.sum(mask), 1));
    });
  },
  /** Mean squared difference of the class probabilities of two passes over the same images. */
  consistencyLoss(logitsA: tf.Tensor2D, logitsB: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.square(tf.sub(tf.softmax(logitsA), tf.softmax(logitsB)))));
  },
  /** D(x) = Z/(Z + 1) = sigmoid(lse(l(x))): D's probability that the images are real, averaged. */
  probabilityReal(logits: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.sigmoid(tf.logSumExp(logits, 1))));
  },
};
