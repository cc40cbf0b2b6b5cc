// Evaluation against real images, reusable by `gan eval` and by the training loop: everything
// that does not depend on the generator (the classifier, the real test set's feature
// statistics and score, the real-vs-real FID floor) is computed once in createEvaluator, and
// each evaluate(generator, seed) only generates n images and classifies them.
import * as tf from '@tensorflow/tfjs';
import type { DataConfig } from '../config.js';
import { TrainingSet } from '../data/batches.js';
import { loadImageSet, type ImageSet } from '../data/index.js';
import { UserError } from '../errors.js';
import type { Log } from '../log.js';
import { deriveSeed, permutation } from '../random.js';
import {
  classCount,
  generateRows,
  isConditional,
  labelsInProportion,
  latentDimOf,
  latentNoise,
  oneHotLabels,
} from '../sampling.js';
import { defaultRecipe, getClassifier, type ClassifierInfo } from '../classifier/cache.js';
import {
  accuracy,
  extractFeatures,
  predictedClasses,
  tensorSource,
  type FeatureSet,
  type ImageSource,
} from '../classifier/features.js';
import { classifierShape } from '../classifier/model.js';
import { createClassifierProgress, type ClassifierRecipe } from '../classifier/train.js';
import { frechetDistance, gaussianStats, type GaussianStats } from './frechet.js';
import { kernelDistance, type KidResult } from './kid.js';
import { precisionRecall, type PrecisionRecall } from './manifold.js';
import { classCoverage, classHistogram, classifierScore, type Coverage } from './scores.js';

/** Random-stream purposes of evaluation (apart from training's and the classifier's numbers). */
const EvalStream = { noise: 104, floorSubset: 105, kid: 106, precisionRecall: 107 } as const;

/** Precision and recall compare each image with its 3 nearest neighbours: a 4th is needed. */
const MIN_TEST_IMAGES = 4;

/** The parts of a run config the evaluator reads (a full Config fits). */
export interface EvaluatorConfig {
  data: DataConfig;
  run: { out_dir: string; seed: number };
  eval: { n: number };
}

export interface EvaluatorOptions {
  /** Generated images per evaluation; default config.eval.n. */
  n?: number;
  /** Classifiers are cached in <outDir>/classifiers/; default config.run.out_dir. */
  outDir?: string;
  /** Overrides of the classifier's training recipe (tests keep it tiny). */
  recipe?: Partial<ClassifierRecipe>;
  /** Seed of the train subset the floor is measured on; default config.run.seed. */
  floorSeed?: number;
  /** A progress bar while the classifier trains; default: when stdout is a terminal. */
  interactive?: boolean;
  /** Retrain the classifier even when a matching one is cached. */
  force?: boolean;
  /** The train split when the caller has already loaded it (gan train), so it is not read twice. */
  trainSet?: ImageSet;
}

/** What the real data scores: the ceilings and floor a generator's numbers are read against. */
export interface RealReference {
  /** Test images the reference statistics come from (the whole test split). */
  testCount: number;
  /** Classifier score of the real test images (the ceiling for classifierScore). */
  score: number;
  /** FID of `floorCount` random real training images against the test statistics. */
  fidFloor: number;
  floorCount: number;
}

export interface EvalResult {
  /** Generated images evaluated. */
  n: number;
  seed: number;
  /** ψ when z was drawn from the normal truncated to [−ψ, ψ]; null for plain N(0, 1). */
  truncation: number | null;
  /** Fréchet distance in the classifier's feature space to the real test set. */
  fid: number;
  fidFloor: number;
  /** Kernel distance to the real test set: mean and std over subsets. */
  kid: KidResult;
  /** Improved precision and recall against the real test set. */
  precisionRecall: PrecisionRecall;
  /** For a conditional generator: the FID of each class's images against that class's test images. */
  perClassFid: number[] | null;
  classifierScore: number;
  realScore: number;
  /** The classifier score's maximum: the number of classes. */
  maxScore: number;
  coverage: Coverage;
  /** For a conditional generator: how often the classifier agrees with the requested class. */
  conditionalAccuracy: number | null;
  /** For a conditional generator: how many images of each class were asked for. */
  requestedClasses: number[] | null;
  seconds: number;
}

export interface Evaluator {
  readonly n: number;
  readonly classifier: { dir: string; info: ClassifierInfo; trained: boolean };
  readonly reference: RealReference;
  /** Generates n images from `seed` (z truncated to ±`truncation` if given) and scores them; no tensors left. */
  evaluate(generator: tf.LayersModel, seed: number, truncation?: number): Promise<EvalResult>;
  dispose(): void;
}

/** Loads the data, gets (or trains) the classifier and measures the real reference once. */
export async function createEvaluator(
  config: EvaluatorConfig,
  io: Log,
  opts: EvaluatorOptions = {},
): Promise<Evaluator> {
  const n = opts.n ?? config.eval.n;
  const trainSet = opts.trainSet ?? (await loadImageSet(config.data, 'train', io));
  const testSet = await loadImageSet(config.data, 'test', io);
  if (testSet.count < MIN_TEST_IMAGES)
    throw new UserError(
      `${testSet.origin}: evaluation needs at least ${MIN_TEST_IMAGES} test images (precision and recall ` +
        `compare each image with its ${MIN_TEST_IMAGES - 1} nearest neighbours)`,
    );
  const train = new TrainingSet(trainSet);
  const test = new TrainingSet(testSet);
  let model: tf.LayersModel | undefined;
  try {
    const ready = await getClassifier({
      dataset: config.data.dataset,
      train,
      trainSet,
      test,
      outDir: opts.outDir ?? config.run.out_dir,
      recipe: defaultRecipe(trainSet.count, opts.recipe),
      force: opts.force,
      log: io.log,
      warn: io.warn,
      progress: createClassifierProgress(io.log, opts.interactive),
    });
    model = ready.model;
    const realFeatures = await extractFeatures(model, test.count, tensorSource(test.images));
    const testStats = gaussianStats(realFeatures.features, realFeatures.count, realFeatures.dim);
    // The floor: what real images score against the same statistics at the same n. A
    // generator's FID can't be expected to go below it (FID is biased upwards at small n).
    const floorCount = Math.min(n, train.count);
    if (floorCount < n) io.warn(`the FID floor uses all ${train.count} training images, fewer than n = ${n}`);
    const floorIndices = permutation(
      train.count,
      deriveSeed(opts.floorSeed ?? config.run.seed, EvalStream.floorSubset),
    ).subarray(0, floorCount);
    const floorSet = await extractFeatures(model, floorCount, tensorSource(train.images, floorIndices));
    const reference: RealReference = {
      testCount: test.count,
      score: classifierScore(realFeatures),
      fidFloor: frechetDistance(gaussianStats(floorSet.features, floorSet.count, floorSet.dim), testStats),
      floorCount,
    };
    const classifier = { dir: ready.dir, info: ready.info, trained: ready.trained };
    const real = {
      features: realFeatures,
      stats: testStats,
      labels: testSet.labels,
      perClassGap: perClassGap(testSet),
    };
    return makeEvaluator(n, model, classifier, reference, real, trainSet.labels, io);
  } catch (err) {
    model?.dispose();
    throw err;
  } finally {
    train.dispose();
    test.dispose();
  }
}

/** The real test images as the classifier sees them: features, their statistics, labels. */
interface RealFeatures {
  features: FeatureSet;
  stats: GaussianStats;
  labels: Uint8Array;
  /** Why per-class FID cannot be measured on these images, when it cannot. */
  perClassGap: string | undefined;
}

/**
 * Per-class FID fits a covariance to each class's test images, which takes two of them. An image
 * folder's test split may have fewer of a class, or none: the warning names those classes.
 */
function perClassGap(testSet: ImageSet): string | undefined {
  if (testSet.classes.length === 0) return undefined; // unlabelled: no conditional generator is scored on it
  const counts = classHistogram(testSet.labels, testSet.classes.length);
  const thin = testSet.classes.filter((_, c) => counts[c]! < 2);
  if (thin.length === 0) return undefined;
  const named = thin.slice(0, 8).join(', ') + (thin.length > 8 ? ` and ${thin.length - 8} more` : '');
  return `per-class FID left out: fewer than 2 test images of ${named} (${testSet.origin})`;
}

/** Each class's Gaussian statistics, from the rows of `set` whose label is that class. */
function perClassStats(set: FeatureSet, labels: ArrayLike<number>, classes: number): GaussianStats[] {
  return Array.from({ length: classes }, (_, c) => {
    const rows = Array.from(labels, (label, i) => (label === c ? i : -1)).filter((i) => i >= 0);
    const picked = new Float64Array(rows.length * set.dim);
    rows.forEach((row, k) => picked.set(set.features.subarray(row * set.dim, (row + 1) * set.dim), k * set.dim));
    return gaussianStats(picked, rows.length, set.dim);
  });
}

function makeEvaluator(
  n: number,
  model: tf.LayersModel,
  classifier: Evaluator['classifier'],
  reference: RealReference,
  real: RealFeatures,
  trainLabels: Uint8Array,
  io: Log,
): Evaluator {
  const shape = classifierShape(model);
  let realByClass: GaussianStats[] | undefined;
  let gapSaid = false;
  // What a conditional generator is asked for: the classes in the training split's proportions,
  // which the real test images share. Asked for equally often, they would leave a gap to the real
  // statistics that no generator could close.
  const requestLabels = labelsInProportion(n, classHistogram(trainLabels, shape.classes));
  const requested = classHistogram(requestLabels, shape.classes);
  return {
    n,
    classifier,
    reference,
    async evaluate(generator, seed, truncation) {
      const started = performance.now();
      const [, height, width, channels] = generator.outputs[0]!.shape as number[];
      if (height !== shape.height || width !== shape.width || channels !== shape.channels) {
        throw new UserError(
          `the generator makes ${height}×${width}×${channels} images, but the evaluation classifier for ` +
            `${classifier.info.dataset} expects ${shape.height}×${shape.width}×${shape.channels}`,
        );
      }
      const conditional = isConditional(generator);
      if (conditional && classCount(generator) !== shape.classes) {
        throw new UserError(
          `the generator draws ${classCount(generator)} classes, but ${classifier.info.dataset} has ${shape.classes}`,
        );
      }
      const labels = conditional ? requestLabels : undefined;
      const noise = latentNoise(n, latentDimOf(generator), deriveSeed(seed, EvalStream.noise), truncation);
      const classInput = labels ? oneHotLabels(labels, shape.classes) : undefined;
      let fake;
      try {
        fake = await extractFeatures(model, n, generatorSource(generator, noise, classInput, shape));
      } finally {
        tf.dispose([noise, ...(classInput ? [classInput] : [])]);
      }
      const predicted = predictedClasses(fake);
      let perClassFid: number[] | null = null;
      if (labels && real.perClassGap) {
        if (!gapSaid) io.warn(real.perClassGap);
        gapSaid = true;
      } else if (labels) {
        realByClass ??= perClassStats(real.features, real.labels, shape.classes);
        const fakeByClass = perClassStats(fake, labels, shape.classes);
        perClassFid = fakeByClass.map((stats, c) => frechetDistance(stats, realByClass![c]!));
      }
      return {
        n,
        seed,
        truncation: truncation ?? null,
        fid: frechetDistance(gaussianStats(fake.features, fake.count, fake.dim), real.stats),
        fidFloor: reference.fidFloor,
        kid: await kernelDistance(real.features, fake, fake.dim, deriveSeed(seed, EvalStream.kid)),
        precisionRecall: await precisionRecall(
          real.features,
          fake,
          fake.dim,
          deriveSeed(seed, EvalStream.precisionRecall),
        ),
        perClassFid,
        classifierScore: classifierScore(fake),
        realScore: reference.score,
        maxScore: shape.classes,
        coverage: classCoverage(predicted, shape.classes),
        conditionalAccuracy: labels ? accuracy(predicted, labels) : null,
        requestedClasses: labels ? [...requested] : null,
        seconds: (performance.now() - started) / 1000,
      };
    },
    dispose() {
      model.dispose();
    },
  };
}

/** Generated images in inference mode (batch norm on its moving statistics), as sampling.ts draws them. */
function generatorSource(
  generator: tf.LayersModel,
  noise: tf.Tensor2D,
  classInput: tf.Tensor2D | undefined,
  shape: { height: number; width: number; channels: number },
): ImageSource {
  return (start, size) =>
    tf.tidy(() =>
      generateRows(generator, noise, classInput, start, size).reshape([
        size,
        shape.height,
        shape.width,
        shape.channels,
      ]),
    );
}
