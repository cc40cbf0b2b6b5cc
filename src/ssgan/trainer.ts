// The semi-supervised GAN's iteration (Salimans et al. 2016; improved-gan's
// train_mnist_feature_matching.py), on the networks of model.ts:
//   D step — one noisy pass of D over three batches: a labelled one (the N labelled images,
//     cycled, each shifted, rotated and scaled at random as ssgan.labelled_* ask), an unlabelled
//     one (the epoch loop's batch), and G's fakes; D minimises the labelled cross-entropy plus the
//     unlabelled term (losses.ts, semiSupervised).
//   G step — feature matching against a second unlabelled batch, D fixed.
//   Then the moving averages of D (the classifier that is kept) and of G (the samples).
// This trainer sees the unlabelled images and the N labelled ones with their labels, nothing
// else: the command hands it a training set whose other labels are gone (data/subsets.ts, splitLabels).
// Every random draw derives from the run seed and the update counters, so a resumed run takes
// exactly the steps an uninterrupted one would.
import * as tf from '@tensorflow/tfjs';
import type { Config, SsganConfig, TrainConfig } from '../config.js';
import type { Batch, TrainingSet } from '../data/batches.js';
import type { LabelledImages } from '../data/subsets.js';
import { semiSupervised } from '../losses.js';
import { buildDiscriminator, type GanModels, type ImageShape } from '../models/index.js';
import {
  discriminate,
  type TrainingPass,
  discriminatorFeatures,
  initializeOnImages,
  trainedWeights,
  weightScales,
} from './model.js';
import { deriveSeed, Stream } from '../random.js';
import { latentNoise } from '../sampling.js';
import { ModelEma } from '../train/ema.js';
import { LabelledBatches, labelledMoves, streamRows } from './labelled-batches.js';
import { SelfLabels } from './self-labels.js';
import { generatorAverage, type Counters, type StepStats, type Trainer } from '../train/trainer.js';
import { scheduleLearningRates } from '../train/lr-schedule.js';
import { stockUpdateKernels, withUpdates, type UpdateKernels } from '../train/update-kernels.js';

export interface SemiSupervisedOptions {
  models: GanModels;
  train: TrainConfig;
  ssgan: SsganConfig;
  seed: number;
  labelled: LabelledImages;
  /** The training images without labels, for G's second real batch and D's initialisation. */
  unlabelled: TrainingSet;
  /** Iterations in the whole run, for the learning-rate schedule. */
  totalIterations: number;
  ema?: ModelEma;
  discriminatorEma?: ModelEma;
  updates?: UpdateKernels;
}

/** D updates over which ssgan.consistency ramps up to its full weight. */
const CONSISTENCY_RAMP = 2000;

export class SemiSupervisedTrainer implements Trainer {
  readonly models: GanModels;
  readonly counters: Counters = { step: 0, dStep: 0 };
  readonly ema: ModelEma | undefined;
  readonly discriminatorEma: ModelEma | undefined;
  readonly gOptimizer: tf.AdamOptimizer;
  readonly dOptimizer: tf.AdamOptimizer;
  private readonly train: TrainConfig;
  private readonly ssgan: SsganConfig;
  private readonly seed: number;
  private readonly labelled: LabelledBatches;
  private readonly unlabelled: TrainingSet;
  private readonly totalIterations: number;
  private readonly gVars: tf.Variable[];
  private readonly dVars: tf.Variable[];
  private readonly selfLabels: SelfLabels | undefined;
  /** The engine's noise and weight-norm kernels (stock tfjs where it has none). */
  private readonly passKernels: Pick<UpdateKernels, 'addNoise' | 'scaleShift'>;

  constructor(opts: SemiSupervisedOptions) {
    this.models = opts.models;
    this.train = opts.train;
    this.ssgan = opts.ssgan;
    this.seed = opts.seed;
    this.labelled = new LabelledBatches(opts.labelled, labelledMoves(opts.ssgan), opts.seed);
    this.unlabelled = opts.unlabelled;
    this.totalIterations = opts.totalIterations;
    this.ema = opts.ema;
    this.discriminatorEma = opts.discriminatorEma;
    const { createAdam, addNoise, scaleShift } = opts.updates ?? stockUpdateKernels;
    this.passKernels = { addNoise, scaleShift };
    this.gOptimizer = createAdam(opts.train.lr_g, opts.train.beta1, opts.train.beta2);
    this.dOptimizer = createAdam(opts.train.lr_d, opts.train.beta1, opts.train.beta2);
    // Not D's hidden weight-norm scales (they keep their initialisation) nor G's batch-norm scales.
    this.gVars = trainedWeights(opts.models.generator);
    this.dVars = trainedWeights(opts.models.discriminator);
    if (opts.ssgan.self_label > 0) {
      this.selfLabels = new SelfLabels(
        opts.unlabelled.images,
        opts.labelled.classes,
        opts.ssgan.self_label_confidence,
        () => this.discriminatorEma?.model ?? this.models.discriminator,
        opts.ssgan.self_label_after,
        opts.unlabelled.batchesPerEpoch(opts.train.batch_size * opts.train.d_steps),
      );
    }
  }

  /** Images per class self-labelled at the last refresh (ssgan.self_label; undefined before the first). */
  get selfLabelledPerClass(): number | undefined {
    return this.selfLabels?.active ? this.selfLabels.perClass : undefined;
  }

  /** Data-dependent initialisation of D on unlabelled images (a fresh run; a restored one overwrites it). */
  initialize(): void {
    initializeOnImages(this.models.discriminator, this.unlabelled.images, this.seed);
    this.discriminatorEma?.model.setWeights(this.models.discriminator.getWeights());
  }

  /** G's images for D update `dStep`. */
  private fakes(dStep: number, size: number): tf.Tensor4D {
    const z = latentNoise(size, this.models.latentDim, deriveSeed(this.seed, Stream.noiseD, dStep));
    return this.models.generator.apply(z, { training: true }) as tf.Tensor4D;
  }

  /** D's noise for a pass drawn from `seed`, added (and the layers computed) the engine's way. */
  private noise(seed: number): TrainingPass {
    return { seed, add: this.passKernels.addNoise, scaleShift: this.passKernels.scaleShift };
  }

  /** G's real batch of G update `step`: the unlabelled images in an order of their own. */
  private unlabelledBatch(step: number, size: number): tf.Tensor4D {
    const rows = streamRows(
      this.unlabelled.count,
      deriveSeed(this.seed, Stream.unlabelledOrder),
      (step - 1) * size,
      size,
    );
    return tf.gather(this.unlabelled.images, tf.tensor1d(rows, 'int32')) as tf.Tensor4D;
  }

  /**
   * D step: labelled cross-entropy + the unlabelled real/fake term, one noisy pass over all three
   * batches; with ssgan.consistency a second noisy copy of the unlabelled batch in that pass
   * (its own rows of noise: the same as a second pass, in one), and with
   * ssgan.self_label a cross-entropy on the batch's self-labelled images (`rows` says which).
   */
  trainDiscriminatorOneStep(unlabelled: tf.Tensor4D, rows?: Int32Array): tf.Scalar[] {
    this.counters.dStep += 1;
    const dStep = this.counters.dStep;
    const size = unlabelled.shape[0];
    const { consistency, self_label: selfLabelWeight } = this.ssgan;
    // Ramped up over the first iterations (Laine & Aila 2017): early class probabilities are noise.
    const consistencyWeight = consistency * Math.exp(-5 * (1 - Math.min(1, dStep / CONSISTENCY_RAMP)) ** 2);
    return tf.tidy(() => {
      const selfLabelled = this.selfLabels?.active && rows ? this.selfLabels.targets(rows) : undefined;
      const labelled = this.labelled.batch(dStep, size);
      const withCopy = consistencyWeight > 0;
      const fakes = this.fakes(dStep, size);
      const images = tf.concat([labelled.images, unlabelled, fakes, ...(withCopy ? [unlabelled] : [])]);
      const noiseSeed = deriveSeed(this.seed, Stream.discriminatorNoise, 1, dStep);
      let diagnostics!: tf.Scalar[];
      const loss = this.dOptimizer.minimize(
        () => {
          const { logits } = discriminate(this.models.discriminator, images, this.noise(noiseSeed));
          const [lab, real, fake, again] = tf.split(logits, withCopy ? 4 : 3) as tf.Tensor2D[] as [
            tf.Tensor2D,
            tf.Tensor2D,
            tf.Tensor2D,
            tf.Tensor2D?,
          ];
          diagnostics = [semiSupervised.probabilityReal(real), semiSupervised.probabilityReal(fake)].map((t) =>
            tf.keep(t),
          );
          let loss = tf.add(
            semiSupervised.labelledLoss(lab, labelled.oneHot),
            semiSupervised.unlabelledLoss(real, fake),
          );
          if (again) loss = tf.add(loss, tf.mul(consistencyWeight, semiSupervised.consistencyLoss(real, again)));
          if (selfLabelled) {
            const term = semiSupervised.selfLabelLoss(real, selfLabelled.oneHot, selfLabelled.mask);
            loss = tf.add(loss, tf.mul(selfLabelWeight, term));
          }
          return loss as tf.Scalar;
        },
        true,
        this.dVars,
      )!;
      return [loss, ...diagnostics];
    });
  }

  /** G step: match the mean of D's last hidden features on fakes to that on real images. */
  trainGeneratorOneStep(size: number): tf.Scalar {
    this.counters.step += 1;
    const step = this.counters.step;
    const loss = tf.tidy(() => {
      const d = this.models.discriminator;
      // D is fixed in this step: its weight-norm scales are computed once for both passes.
      const scales = weightScales(d);
      const realFeatures = discriminatorFeatures(
        d,
        this.unlabelledBatch(step, size),
        this.noise(deriveSeed(this.seed, Stream.discriminatorNoise, 2, step)),
        scales,
      );
      const z = latentNoise(size, this.models.latentDim, deriveSeed(this.seed, Stream.noiseG, step));
      return this.gOptimizer.minimize(
        () => {
          const fakes = this.models.generator.apply(z, { training: true }) as tf.Tensor;
          const fakeFeatures = discriminatorFeatures(
            d,
            fakes,
            this.noise(deriveSeed(this.seed, Stream.discriminatorNoise, 3, step)),
            scales,
          );
          return semiSupervised.featureMatchingLoss(realFeatures, fakeFeatures);
        },
        true,
        this.gVars,
      )!;
    });
    this.ema?.update(step);
    return loss;
  }

  async trainIteration(realBatches: Batch[]): Promise<StepStats> {
    scheduleLearningRates(this, this.train, this.counters.step, this.totalIterations);
    await this.selfLabels?.refreshIfDue(this.counters.step);
    // The batches' labels are not read: the loop's training set has none (data/subsets.ts, splitLabels).
    const dResults = realBatches.map((batch) => {
      const result = this.trainDiscriminatorOneStep(batch.images, batch.rows);
      this.discriminatorEma?.update(this.counters.dStep);
      return result;
    });
    const gLoss = this.trainGeneratorOneStep(realBatches[0]!.images.shape[0]);
    const [dLoss, dReal, dFake] = dResults[dResults.length - 1]!;
    const packed = tf.stack([dLoss!, gLoss, dReal!, dFake!]);
    const values = await packed.data();
    tf.dispose([packed, gLoss, ...dResults.flat()]);
    return { dLoss: values[0]!, gLoss: values[1]!, dReal: values[2]!, dFake: values[3]! };
  }

  dispose(): void {
    this.gOptimizer.dispose();
    this.dOptimizer.dispose();
    this.ema?.model.dispose();
    this.discriminatorEma?.model.dispose();
    this.labelled.dispose();
  }
}

/**
 * A SemiSupervisedTrainer the way `gan train` builds one for model.arch ssgan: both
 * networks' moving averages as configured, the engine's update kernels, D initialised on the data.
 */
export function createSemiSupervisedTrainer(
  config: Config,
  models: GanModels,
  data: { labelled: LabelledImages; unlabelled: TrainingSet; totalIterations: number },
  faster?: Partial<UpdateKernels>,
): SemiSupervisedTrainer {
  const updates = withUpdates(faster);
  const discriminatorEma = discriminatorAverage(
    config,
    models.discriminator,
    models.imageShape,
    data.labelled.classes,
    updates,
  );
  const trainer = new SemiSupervisedTrainer({
    models,
    train: config.train,
    ssgan: config.ssgan,
    seed: config.run.seed,
    ...data,
    ema: generatorAverage(config, models, updates),
    discriminatorEma,
    updates,
  });
  trainer.initialize();
  return trainer;
}

/** D's moving average (ssgan.d_ema), the classifier that is kept; undefined when it is off. */
export function discriminatorAverage(
  config: Config,
  d: tf.LayersModel,
  imageShape: ImageShape,
  classes: number,
  updates: Pick<UpdateKernels, 'emaStep'>,
): ModelEma | undefined {
  if (config.ssgan.d_ema <= 0) return undefined;
  return ModelEma.startingAt(
    buildDiscriminator(config.model, imageShape, config.run.seed, classes),
    d,
    config.ssgan.d_ema,
    updates.emaStep,
  );
}
