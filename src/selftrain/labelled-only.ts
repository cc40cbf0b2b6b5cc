// ssgan-net, the baseline that says what the unlabelled images add: the semi-supervised D's
// network trained on the N labelled images alone, with everything the GAN's D step does to them
// (its noisy passes, the labelled moves, Adam, the moving average, as many D updates) and nothing
// else: no unlabelled term, no generator, and the configured rates throughout (the GAN's
// schedule counts G updates, and this has none).
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config.js';
import type { TrainingSet } from '../data/batches.js';
import type { LabelledImages } from '../data/subsets.js';
import { semiSupervised } from '../losses.js';
import { buildModels } from '../models/index.js';
import { deriveSeed, Stream } from '../random.js';
import { LabelledBatches, labelledMoves } from '../ssgan/labelled-batches.js';
import { discriminate, initializeOnImages, trainedWeights } from '../ssgan/model.js';
import { discriminatorAverage } from '../ssgan/trainer.js';
import { withUpdates, type UpdateKernels } from '../train/update-kernels.js';

/**
 * Trains the network for `iterations` D updates on `labelled` (`own` is the same images as a
 * training set, for D's initialisation) and returns the classifier: D's moving average when
 * ssgan.d_ema is on. The caller disposes it.
 */
export function trainLabelledOnly(
  config: Config,
  labelled: LabelledImages,
  own: TrainingSet,
  iterations: number,
  faster?: Partial<UpdateKernels>,
): tf.LayersModel {
  const { train, run } = config;
  const updates = withUpdates(faster);
  const shape = { height: labelled.height, width: labelled.width, channels: labelled.channels };
  const { generator, discriminator: d } = buildModels(config.model, shape, run.seed, labelled.classes);
  generator.dispose();
  initializeOnImages(d, own.images, run.seed);
  const average = discriminatorAverage(config, d, shape, labelled.classes, updates);
  const batches = new LabelledBatches(labelled, labelledMoves(config.ssgan), run.seed);
  const optimizer = updates.createAdam(train.lr_d, train.beta1, train.beta2);
  const weights = trainedWeights(d);
  try {
    for (let dStep = 1; dStep <= iterations; dStep++) {
      tf.tidy(() => {
        const batch = batches.batch(dStep, train.batch_size);
        const pass = {
          seed: deriveSeed(run.seed, Stream.discriminatorNoise, 1, dStep),
          add: updates.addNoise,
          scaleShift: updates.scaleShift,
        };
        optimizer.minimize(
          () => semiSupervised.labelledLoss(discriminate(d, batch.images, pass).logits, batch.oneHot),
          false,
          weights,
        );
      });
      average?.update(dStep);
    }
  } finally {
    batches.dispose();
    optimizer.dispose();
  }
  if (!average) return d;
  d.dispose();
  return average.model;
}
