// One GAN training iteration, as the alternating scheme of Goodfellow et al. (2014, Alg. 1):
// `d_steps` discriminator updates, each on a fresh real batch and a fresh fake batch, then
// one generator update. Each update is one named function, in the style of tfjs-examples
// mnist-acgan. All noise is drawn from (run seed, stream, update counter) so a resumed run
// draws exactly what an uninterrupted one would have.
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../config.js';
import type { Objective } from '../losses.js';
import type { GanModels } from '../models/index.js';
import { deriveSeed, Stream } from '../random.js';
import { latentNoise } from '../sampling.js';

/** Per-update diagnostics, as tensors until someone reads them. */
export interface StepStats {
  dLoss: number;
  gLoss: number;
  /** Mean D(x): the discriminator's probability that real images are real. */
  dReal: number;
  /** Mean D(G(z)) during the discriminator update. */
  dFake: number;
}

export interface Counters {
  /** Generator updates so far (the global step). */
  step: number;
  /** Discriminator updates so far. */
  dStep: number;
}

export class GanTrainer {
  readonly gOptimizer: tf.AdamOptimizer;
  readonly dOptimizer: tf.AdamOptimizer;
  private readonly gVars: tf.Variable[];
  private readonly dVars: tf.Variable[];

  constructor(
    readonly models: GanModels,
    private readonly objective: Objective,
    train: TrainConfig,
    private readonly seed: number,
    readonly counters: Counters = { step: 0, dStep: 0 },
  ) {
    this.gOptimizer = tf.train.adam(train.lr_g, train.beta1, train.beta2);
    this.dOptimizer = tf.train.adam(train.lr_d, train.beta1, train.beta2);
    // Explicit variable lists in layer order: Adam keeps its moments by position, so the same
    // order after a reload lets saved optimizer state line up with the right weights.
    this.gVars = models.generator.trainableWeights.map((w) => w.read() as tf.Variable);
    this.dVars = models.discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  private noise(stream: number, counter: number, count: number): tf.Tensor2D {
    return latentNoise(count, this.models.latentDim, deriveSeed(this.seed, stream, counter));
  }

  /** D step: raise D's logits on real images, lower them on G's current fakes. */
  trainDiscriminatorOneStep(realImages: tf.Tensor4D): [tf.Scalar, tf.Scalar, tf.Scalar] {
    const { generator, discriminator } = this.models;
    this.counters.dStep += 1;
    return tf.tidy(() => {
      const noise = this.noise(Stream.noiseD, this.counters.dStep, realImages.shape[0]);
      // G runs outside the tape's variable list: only D's weights move in this step.
      const fakeImages = generator.apply(noise, { training: true }) as tf.Tensor4D;
      let dReal!: tf.Scalar;
      let dFake!: tf.Scalar;
      const loss = this.dOptimizer.minimize(
        () => {
          const realLogits = discriminator.apply(realImages, { training: true }) as tf.Tensor;
          const fakeLogits = discriminator.apply(fakeImages, { training: true }) as tf.Tensor;
          dReal = tf.keep(tf.mean(tf.sigmoid(realLogits)));
          dFake = tf.keep(tf.mean(tf.sigmoid(fakeLogits)));
          return this.objective.discriminatorLoss(realLogits, fakeLogits);
        },
        true,
        this.dVars,
      )!;
      return [loss, dReal, dFake];
    });
  }

  /** G step: move G so that D scores its fakes as real (D's weights stay fixed). */
  trainGeneratorOneStep(batchSize: number): tf.Scalar {
    const { generator, discriminator } = this.models;
    this.counters.step += 1;
    return tf.tidy(() => {
      const noise = this.noise(Stream.noiseG, this.counters.step, batchSize);
      return this.gOptimizer.minimize(
        () => {
          const fakeImages = generator.apply(noise, { training: true }) as tf.Tensor;
          const fakeLogits = discriminator.apply(fakeImages, { training: true }) as tf.Tensor;
          return this.objective.generatorLoss(fakeLogits);
        },
        true,
        this.gVars,
      )!;
    });
  }

  /**
   * One iteration: the D steps on the given real batches, then one G step. Reads the four
   * diagnostics back in one transfer (the only sync per iteration).
   */
  async trainIteration(realBatches: tf.Tensor4D[]): Promise<StepStats> {
    const dResults = realBatches.map((real) => this.trainDiscriminatorOneStep(real));
    const gLoss = this.trainGeneratorOneStep(realBatches[0]!.shape[0]);
    const last = dResults[dResults.length - 1]!;
    const packed = tf.stack([last[0], gLoss, last[1], last[2]]);
    const [dLoss, g, dReal, dFake] = await packed.data();
    tf.dispose([packed, gLoss, ...dResults.flat()]);
    return { dLoss: dLoss!, gLoss: g!, dReal: dReal!, dFake: dFake! };
  }

  dispose(): void {
    this.gOptimizer.dispose();
    this.dOptimizer.dispose();
  }
}
