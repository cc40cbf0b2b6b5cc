// One GAN training iteration, as the alternating scheme of Goodfellow et al. (2014, Alg. 1):
// `d_steps` discriminator updates, each on a fresh real batch and a fresh fake batch, then
// one generator update (and an update of the generator's moving average). Each update is one
// named function, in the style of tfjs-examples mnist-acgan. All noise, fake labels and
// penalty mixing weights are drawn from (run seed, stream, update counter), so a resumed run
// draws exactly what an uninterrupted one would have.
import * as tf from '@tensorflow/tfjs';
import type { Config, TrainConfig } from '../config.js';
import { autoAugmentProbability, diffAugment, type AugmentPolicy } from '../data/augment.js';
import type { Batch } from '../data/batches.js';
import { objectiveFor, type Objective } from '../losses.js';
import { buildGenerator, usesBatchStatistics, type GanModels } from '../models/index.js';
import { gradientPenalty, r1Penalty, type Critic } from '../penalties.js';
import { deriveSeed, Stream } from '../random.js';
import { latentNoise, oneHotLabels } from '../sampling.js';
import { ModelEma } from './ema.js';
import { scheduleLearningRates } from './lr-schedule.js';
import { runIterations } from './run-length.js';
import { stockUpdateKernels, withUpdates, type UpdateKernels } from './update-kernels.js';

/** Diagnostics of one iteration (from its last D update and its G update). */
export interface StepStats {
  dLoss: number;
  gLoss: number;
  /** Mean sigmoid(D(x)): for bce, D's probability that real images are real. */
  dReal: number;
  /** Mean sigmoid(D(G(z))) during the discriminator update. */
  dFake: number;
}

export interface Counters {
  /** Generator updates so far (the global step). */
  step: number;
  /** Discriminator updates so far. */
  dStep: number;
}

/** What the epoch loop and the checkpoint need of a trainer (GanTrainer, SemiSupervisedTrainer). */
export interface Trainer {
  readonly models: GanModels;
  readonly counters: Counters;
  /** The generator's moving average (samples are drawn from it). */
  readonly ema: ModelEma | undefined;
  readonly gOptimizer: tf.AdamOptimizer;
  readonly dOptimizer: tf.AdamOptimizer;
  /** One iteration on these real batches; reads its diagnostics back once. */
  trainIteration(realBatches: Batch[]): Promise<StepStats>;
  dispose(): void;
}

/** What D says of a batch: the adversarial logit and, for an ACGAN D, class logits. */
interface DOutput {
  logit: tf.Tensor;
  classLogits?: tf.Tensor;
}

/** The three batches D sees per iteration, each augmented with draws of its own. */
const AUGMENTED = { real: 1, fakeD: 2, fakeG: 3 } as const;

export interface TrainerOptions {
  models: GanModels;
  objective: Objective;
  train: TrainConfig;
  seed: number;
  ema?: ModelEma;
  /** Adam (and the EMA step, used by `ema`): the stock tfjs ones unless an engine gives faster ones. */
  updates?: UpdateKernels;
  /** Differentiable augmentation of every image D sees (none when absent or p = 0). */
  augment?: AugmentPolicy;
  /** G updates in the whole run: where train.lr_decay's fall ends (needed when lr_decay > 0). */
  totalIterations?: number;
}

export class GanTrainer implements Trainer {
  readonly models: GanModels;
  readonly counters: Counters;
  readonly ema: ModelEma | undefined;
  readonly gOptimizer: tf.AdamOptimizer;
  readonly dOptimizer: tf.AdamOptimizer;
  private readonly objective: Objective;
  private readonly train: TrainConfig;
  private readonly seed: number;
  private readonly augmentPolicy: AugmentPolicy | undefined;
  private readonly totalIterations: number;
  private readonly gVars: tf.Variable[];
  private readonly dVars: tf.Variable[];
  /** D scores the real and the fake batch in one pass (the engine asks; D has no batch statistics). */
  private readonly oneDPass: boolean;

  constructor(opts: TrainerOptions) {
    this.models = opts.models;
    this.objective = opts.objective;
    this.augmentPolicy = opts.augment;
    this.train = opts.train;
    this.seed = opts.seed;
    this.counters = { step: 0, dStep: 0 };
    this.ema = opts.ema;
    if (opts.train.lr_decay > 0 && opts.totalIterations === undefined)
      throw new Error('train.lr_decay needs the run length (TrainerOptions.totalIterations)');
    this.totalIterations = opts.totalIterations ?? Infinity;
    const { createAdam } = opts.updates ?? stockUpdateKernels;
    this.gOptimizer = createAdam(opts.train.lr_g, opts.train.beta1, opts.train.beta2);
    this.dOptimizer = createAdam(opts.train.lr_d, opts.train.beta1, opts.train.beta2);
    // Explicit variable lists in layer order: Adam keeps its moments by position, so the same
    // order after a reload lets saved optimizer state line up with the right weights.
    this.gVars = opts.models.generator.trainableWeights.map((w) => w.read() as tf.Variable);
    this.dVars = opts.models.discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
    this.oneDPass = (opts.updates?.oneDPass ?? false) && !usesBatchStatistics(opts.models.discriminator);
  }

  private get conditional(): boolean {
    return this.models.classes > 0;
  }

  private noise(stream: number, counter: number, count: number): tf.Tensor2D {
    return latentNoise(count, this.models.latentDim, deriveSeed(this.seed, stream, counter));
  }

  /** Uniformly drawn one-hot class labels [count, classes] for fakes (conditional models only). */
  private fakeLabels(stream: number, counter: number, count: number): tf.Tensor2D {
    const ids = tf.randomUniform([count], 0, this.models.classes, 'int32', deriveSeed(this.seed, stream, counter));
    return oneHotLabels(ids, this.models.classes);
  }

  private generate(z: tf.Tensor2D, labels: tf.Tensor2D | undefined): tf.Tensor4D {
    return this.models.generator.apply(labels ? [z, labels] : z, { training: true }) as tf.Tensor4D;
  }

  /** The images as D sees them: augmented when train.augment asks, with draws of their own. */
  private augment(images: tf.Tensor4D, pass: number, counter: number): tf.Tensor4D {
    const policy = this.augmentPolicy;
    return policy ? diffAugment(images, policy, deriveSeed(this.seed, Stream.augment, pass, counter)) : images;
  }

  /**
   * D on images: the adversarial logit and, for an ACGAN D, class logits. A projection D
   * takes the images' labels as its second input; an ACGAN D takes images only.
   */
  private discriminate(images: tf.Tensor, labels: tf.Tensor2D | undefined): DOutput {
    const d = this.models.discriminator;
    if (this.models.auxClassifier) {
      const [logit, classLogits] = d.apply(images, { training: true }) as tf.Tensor[];
      return { logit: logit!, classLogits };
    }
    return { logit: d.apply(labels ? [images, labels] : images, { training: true }) as tf.Tensor };
  }

  /**
   * D on the real and the fake batch. One pass over both, split after, where the engine asks for
   * it (the kernels of one pass, not two) and D has no batch statistics (each image's score is then
   * the same as in a pass of its own). Batch norm or minibatch std in D keep the passes apart, or
   * the statistics would tell D which batch is real.
   */
  private discriminateBoth(
    real: { images: tf.Tensor; labels?: tf.Tensor2D },
    fake: { images: tf.Tensor; labels?: tf.Tensor2D },
  ): { realOut: DOutput; fakeOut: DOutput } {
    if (!this.oneDPass) {
      return {
        realOut: this.discriminate(real.images, real.labels),
        fakeOut: this.discriminate(fake.images, fake.labels),
      };
    }
    const sizes = [real.images.shape[0]!, fake.images.shape[0]!];
    // An ACGAN D takes images only (discriminate ignores the labels): no labels to join for it.
    const joinLabels = real.labels && fake.labels && !this.models.auxClassifier;
    const labels = joinLabels ? tf.concat([real.labels!, fake.labels!]) : undefined;
    const both = this.discriminate(tf.concat([real.images, fake.images]), labels);
    const [realLogit, fakeLogit] = tf.split(both.logit, sizes);
    const [realClass, fakeClass] = both.classLogits ? tf.split(both.classLogits, sizes) : [];
    return {
      realOut: { logit: realLogit!, classLogits: realClass },
      fakeOut: { logit: fakeLogit!, classLogits: fakeClass },
    };
  }

  /** D's logit as a function of images, with the labels (if any) bound. */
  private critic(labels: tf.Tensor2D | undefined): Critic {
    return (images) => this.discriminate(images, labels).logit;
  }

  /** ACGAN's class term: class_weight × cross-entropy of D's class logits against the labels. */
  private classLoss(classLogits: tf.Tensor | undefined, labels: tf.Tensor2D | undefined): tf.Scalar | undefined {
    if (!classLogits || !labels) return undefined;
    return tf.mul(this.train.class_weight, tf.losses.softmaxCrossEntropy(labels, classLogits)) as tf.Scalar;
  }

  /** D step: raise D's outputs on real images, lower them on G's current fakes (+ penalties). */
  trainDiscriminatorOneStep(real: Batch): [tf.Scalar, tf.Scalar, tf.Scalar] {
    this.counters.dStep += 1;
    const counter = this.counters.dStep;
    const size = real.images.shape[0];
    return tf.tidy(() => {
      const realLabels = this.conditional ? oneHotLabels(real.labels, this.models.classes) : undefined;
      const fakeLabels = this.conditional ? this.fakeLabels(Stream.fakeLabelsD, counter, size) : undefined;
      // G runs outside D's variable list: only D's weights move in this step.
      const fakeImages = this.augment(
        this.generate(this.noise(Stream.noiseD, counter, size), fakeLabels),
        AUGMENTED.fakeD,
        counter,
      );
      const realImages = this.augment(real.images, AUGMENTED.real, counter);
      let dReal!: tf.Scalar;
      let dFake!: tf.Scalar;
      const loss = this.dOptimizer.minimize(
        () => {
          const { realOut, fakeOut } = this.discriminateBoth(
            { images: realImages, labels: realLabels },
            { images: fakeImages, labels: fakeLabels },
          );
          dReal = tf.keep(tf.mean(tf.sigmoid(realOut.logit)));
          dFake = tf.keep(tf.mean(tf.sigmoid(fakeOut.logit)));
          let total = this.objective.discriminatorLoss(realOut.logit, fakeOut.logit);
          // ACGAN: D learns the classes of real images and of G's fakes (Odena et al. 2017).
          for (const term of [
            this.classLoss(realOut.classLogits, realLabels),
            this.classLoss(fakeOut.classLogits, fakeLabels),
          ]) {
            if (term) total = tf.add(total, term);
          }
          if (this.objective.usesGradientPenalty && this.train.gp_weight > 0) {
            // Interpolates between a real image and a fake of another class carry the real
            // image's label: the penalty constrains D along the data manifold of that class.
            const gp = gradientPenalty(
              this.critic(realLabels),
              realImages,
              fakeImages,
              deriveSeed(this.seed, Stream.penalty, counter),
            );
            total = tf.add(total, tf.mul(this.train.gp_weight, gp));
          }
          const r1Weight = r1WeightAt(this.train, counter);
          if (r1Weight > 0) total = tf.add(total, tf.mul(r1Weight, r1Penalty(this.critic(realLabels), realImages)));
          return total;
        },
        true,
        this.dVars,
      )!;
      return [loss, dReal, dFake];
    });
  }

  /** G step: move G so that D scores its fakes as real (D's weights stay fixed). */
  trainGeneratorOneStep(): tf.Scalar {
    this.counters.step += 1;
    const counter = this.counters.step;
    const batchSize = this.train.batch_size;
    const loss = tf.tidy(() => {
      const labels = this.conditional ? this.fakeLabels(Stream.fakeLabelsG, counter, batchSize) : undefined;
      const noise = this.noise(Stream.noiseG, counter, batchSize);
      return this.gOptimizer.minimize(
        () => {
          // The augmentation is differentiable: G learns through it what D saw.
          const out = this.discriminate(this.augment(this.generate(noise, labels), AUGMENTED.fakeG, counter), labels);
          const adversarial = this.objective.generatorLoss(out.logit);
          // ACGAN: G also makes its fakes recognisable as the class it was asked for.
          const classTerm = this.classLoss(out.classLogits, labels);
          return classTerm ? tf.add(adversarial, classTerm) : adversarial;
        },
        true,
        this.gVars,
      )!;
    });
    this.ema?.update(counter);
    return loss;
  }

  /**
   * One iteration: a D step per real batch, then one G step. Reads the four diagnostics back
   * in one transfer (the only sync per iteration).
   */
  async trainIteration(realBatches: Batch[]): Promise<StepStats> {
    scheduleLearningRates(this, this.train, this.counters.step, this.totalIterations);
    const dResults = realBatches.map((real) => this.trainDiscriminatorOneStep(real));
    const gLoss = this.trainGeneratorOneStep();
    const last = dResults[dResults.length - 1]!;
    const packed = tf.stack([last[0], gLoss, last[1], last[2]]);
    const [dLoss, g, dReal, dFake] = await packed.data();
    tf.dispose([packed, gLoss, ...dResults.flat()]);
    return { dLoss: dLoss!, gLoss: g!, dReal: dReal!, dFake: dFake! };
  }

  /** Frees the optimizers' state and the EMA copy (the models belong to the caller). */
  dispose(): void {
    this.gOptimizer.dispose();
    this.dOptimizer.dispose();
    this.ema?.model.dispose();
  }
}

/**
 * The R1 weight in discriminator update number `dStep` (from 1). Lazy regularisation (Karras et
 * al. 2020, StyleGAN2 §3.1): the penalty's gradient changes slowly, so computing it on every
 * `r1_every`-th update only, weighted `r1_every`·γ, keeps its average strength and saves the
 * second derivative on the other updates.
 */
export function r1WeightAt(train: Pick<TrainConfig, 'r1' | 'r1_every'>, dStep: number): number {
  return train.r1 > 0 && dStep % train.r1_every === 0 ? train.r1 * train.r1_every : 0;
}

/** The generator's moving average when train.ema > 0, started at G's weights. */
export function generatorAverage(config: Config, models: GanModels, updates: UpdateKernels): ModelEma | undefined {
  if (config.train.ema <= 0) return undefined;
  const copy = buildGenerator(config.model, models.imageShape, config.run.seed, models.classes);
  return ModelEma.startingAt(copy, models.generator, config.train.ema, updates.emaStep);
}

/**
 * A GanTrainer the way `gan train` builds one — objective from the config, the generator's
 * moving average when train.ema > 0, and whatever faster update kernels the engine offers —
 * shared by the command, the benchmarks and the tests. The training set's size fixes the
 * automatic augmentation and the length of the run (for train.lr_decay).
 */
export function createTrainer(
  config: Config,
  models: GanModels,
  faster?: Partial<UpdateKernels>,
  trainingImages = Infinity,
): GanTrainer {
  const updates = withUpdates(faster);
  return new GanTrainer({
    models,
    objective: objectiveFor(config.train.loss),
    train: config.train,
    seed: config.run.seed,
    ema: generatorAverage(config, models, updates),
    updates,
    augment: augmentPolicy(config.train, trainingImages),
    totalIterations: Number.isFinite(trainingImages) ? runIterations(trainingImages, config.train) : undefined,
  });
}

/** train.augment as a policy for a training set of this size (auto resolved); undefined when off. */
export function augmentPolicy(train: TrainConfig, trainingImages: number): AugmentPolicy | undefined {
  const p = train.augment === 'auto' ? autoAugmentProbability(trainingImages) : train.augment;
  return p > 0 ? { p, translate: train.augment_translate, cutout: train.augment_cutout } : undefined;
}
