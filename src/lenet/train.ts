// Training the evaluation classifier: Adam on softmax cross-entropy over seeded shuffles of the
// train split, with a per-step seeded dropout mask, so the same data and recipe give the same
// weights on the same engine. On a terminal a bar shows each epoch; elsewhere one line per epoch.
import * as tf from '@tensorflow/tfjs';
import cliProgress from 'cli-progress';
import type { TrainingSet } from '../data/batches.js';
import { randomShifts, translate } from '../data/augment.js';
import { deriveSeed } from '../random.js';
import { ClassifierStream, DROPOUT_RATE, classifierShape, forward } from './model.js';
import { accuracy, extractFeatures, predictedClasses, tensorSource } from './features.js';

/** Everything besides the data that determines the trained weights. */
export interface ClassifierRecipe {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Move each training image by a random ±shift pixels each time it is seen (absent or 0: never). */
  shift?: number;
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
  const shuffleSeed = deriveSeed(recipe.seed, ClassifierStream.shuffle);
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
        const dropoutSeed = deriveSeed(recipe.seed, ClassifierStream.dropout, step);
        const shifts = recipe.shift
          ? randomShifts(batchSize, recipe.shift, deriveSeed(recipe.seed, ClassifierStream.shift, step))
          : undefined;
        const images = shifts ? translate(batch.images, shifts) : batch.images;
        const loss = optimizer.minimize(
          () => {
            const { logits } = forward(model, images, (x) => tf.dropout(x, DROPOUT_RATE, undefined, dropoutSeed));
            return tf.losses.softmaxCrossEntropy(tf.oneHot(batch.labels, classes), logits) as tf.Scalar;
          },
          true,
          variables,
        )!;
        const value = (await loss.data())[0]!;
        tf.dispose([loss, batch.images, batch.labels, images]);
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

export interface ClassifierEpoch {
  epoch: number;
  epochs: number;
  loss: number;
  seconds: number;
  imagesPerSecond: number;
}

export interface ClassifierProgress {
  startEpoch(epoch: number, epochs: number, batches: number): void;
  update(batch: number, loss: number): void;
  endEpoch(summary: ClassifierEpoch): void;
}

export function classifierEpochLine(s: ClassifierEpoch): string {
  return (
    `classifier epoch ${s.epoch}/${s.epochs}  loss ${s.loss.toFixed(4)}  ${s.imagesPerSecond.toFixed(0)} ` +
    `img/s  ${s.seconds.toFixed(1)} s`
  );
}

/** A bar on a TTY, plain `log` lines elsewhere. */
export function createClassifierProgress(
  log: (line: string) => void,
  interactive = Boolean(process.stdout.isTTY),
): ClassifierProgress {
  if (!interactive) {
    return { startEpoch() {}, update() {}, endEpoch: (s) => log(classifierEpochLine(s)) };
  }
  let bar: cliProgress.SingleBar | undefined;
  return {
    startEpoch(epoch, epochs, batches) {
      bar = new cliProgress.SingleBar(
        {
          format: `classifier epoch ${epoch}/${epochs} {bar} {value}/{total} | loss {loss} | ETA {eta_formatted}`,
          barsize: 24,
          hideCursor: true,
          clearOnComplete: true,
          stream: process.stdout,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batches, 0, { loss: '-' });
    },
    update(batch, loss) {
      bar?.update(batch, { loss: loss.toFixed(4) });
    },
    endEpoch(summary) {
      bar?.stop();
      bar = undefined;
      log(classifierEpochLine(summary));
    },
  };
}
