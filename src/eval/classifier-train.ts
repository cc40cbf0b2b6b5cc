// Training the evaluation classifier: Adam on softmax cross-entropy over seeded shuffles of the
// train split, with a per-step seeded dropout mask, so the same data and recipe give the same
// weights on the same engine.
import * as tf from '@tensorflow/tfjs';
import type { TrainingSet } from '../data/batches.js';
import { deriveSeed } from '../random.js';
import { DROPOUT_RATE, classifierShape, forward } from './classifier-model.js';
import { extractFeatures, tensorSource } from './features.js';
import type { ClassifierProgress } from './progress.js';
import { accuracy, predictedClasses } from './scores.js';
import { EvalStream } from './seeds.js';

/** Everything besides the data that determines the trained weights. */
export interface ClassifierRecipe {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export interface ClassifierTrainResult {
  seconds: number;
  /** Mean training loss of each epoch. */
  epochLosses: number[];
}

export async function trainClassifier(
  model: tf.LayersModel,
  data: TrainingSet,
  recipe: ClassifierRecipe,
  progress?: ClassifierProgress,
): Promise<ClassifierTrainResult> {
  const { classes } = classifierShape(model);
  const batchSize = Math.min(recipe.batchSize, data.count);
  const batches = data.batchesPerEpoch(batchSize);
  const optimizer = tf.train.adam(recipe.learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const shuffleSeed = deriveSeed(recipe.seed, EvalStream.classifierShuffle);
  const started = performance.now();
  const epochLosses: number[] = [];
  let step = 0;
  try {
    for (let epoch = 1; epoch <= recipe.epochs; epoch++) {
      const epochStart = performance.now();
      const order = data.epochOrder(shuffleSeed, epoch);
      progress?.startEpoch(epoch, recipe.epochs, batches);
      let lossSum = 0;
      for (let b = 0; b < batches; b++) {
        const batch = data.batch(order, b, batchSize);
        const dropoutSeed = deriveSeed(recipe.seed, EvalStream.classifierDropout, step);
        const loss = optimizer.minimize(
          () => {
            const { logits } = forward(model, batch.images, (x) => tf.dropout(x, DROPOUT_RATE, undefined, dropoutSeed));
            return tf.losses.softmaxCrossEntropy(tf.oneHot(batch.labels, classes), logits) as tf.Scalar;
          },
          true,
          variables,
        )!;
        const value = (await loss.data())[0]!;
        tf.dispose([loss, batch.images, batch.labels]);
        lossSum += value;
        step += 1;
        progress?.update(b + 1, lossSum / (b + 1));
      }
      const seconds = (performance.now() - epochStart) / 1000;
      epochLosses.push(lossSum / batches);
      progress?.endEpoch({
        epoch,
        epochs: recipe.epochs,
        loss: lossSum / batches,
        seconds,
        imagesPerSecond: (batches * batchSize) / seconds,
      });
    }
  } finally {
    optimizer.dispose();
  }
  return { seconds: (performance.now() - started) / 1000, epochLosses };
}

/** Fraction of a labelled set the classifier gets right. */
export async function classifierAccuracy(model: tf.LayersModel, data: TrainingSet): Promise<number> {
  const table = await extractFeatures(model, data.count, tensorSource(data.images));
  return accuracy(predictedClasses(table), await data.labels.data());
}
