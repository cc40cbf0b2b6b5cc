// GAN objectives on discriminator logits. Each is a pair of pure functions: the
// discriminator's loss from its logits on a real and a fake batch, and the generator's loss
// from the discriminator's logits on a fake batch.
import * as tf from '@tensorflow/tfjs';

export interface Objective {
  discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar;
  generatorLoss(fakeLogits: tf.Tensor): tf.Scalar;
}

/**
 * Non-saturating cross-entropy (Goodfellow et al. 2014, sec. 3): D minimises
 * BCE(1, D(x)) + BCE(0, D(G(z))); G minimises BCE(1, D(G(z))) instead of -BCE(0, D(G(z))),
 * which has strong gradients early on when D easily rejects fakes.
 * With logits l: BCE(1, l) = softplus(-l) and BCE(0, l) = softplus(l), exact and stable.
 */
export const nonSaturatingBce: Objective = {
  discriminatorLoss: (realLogits, fakeLogits) =>
    tf.tidy(() => tf.add(tf.mean(tf.softplus(tf.neg(realLogits))), tf.mean(tf.softplus(fakeLogits)))),
  generatorLoss: (fakeLogits) => tf.tidy(() => tf.mean(tf.softplus(tf.neg(fakeLogits)))),
};
