// Evaluation against real images, reusable by `gan eval` and by the training loop: everything
// that does not depend on the generator (the classifier, the real test set's feature
// statistics and score, the real-vs-real FID floor) is computed once in createEvaluator, and
// each evaluate(generator, seed) only generates n images and classifies them.
import * as tf from '@tensorflow/tfjs';
import type { DataConfig } from '../config.js';
import { TrainingSet } from '../data/batches.js';
import { loadImageSet, type ImageSet } from '../data/index.js';
import { UserError } from '../errors.js';
import { someNames } from '../text.js';
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
import { defaultRecipe, getClassifier, type ClassifierInfo } from '../lenet/cache.js';
import {
  accuracy,
  extractFeatures,
  predictedClasses,
  tensorSource,
  type FeatureSet,
  type ImageSource,
} from '../lenet/features.js';
import { classifierShape } from '../lenet/model.js';
import { createClassifierProgress, type ClassifierRecipe } from '../lenet/train.js';
import { frechetDistance, gaussianStats, type GaussianStats } from './frechet.js';
import { kernelDistance, type KidResult } from './kid.js';
import { precisionRecall, type PrecisionRecall } from './manifold.js';
import { MIN_EVAL_N, MIN_EVAL_N_REASON, MIN_PER_SET } from './sample-size.js';
import { classCoverage, classHistogram, classifierScore, type Coverage } from './scores.js';

/** Random-stream purposes of evaluation (apart from training's and the classifier's, 101-103 and 108). */
const EvalStream = {
  noise: 104,
  floorSubset: 105,
  kid: 106,
  precisionRecall: 107,
  kidFloor: 110,
  precisionRecallFloor: 111,
} as const;

/** The parts of a run config the evaluator reads (a full Config fits). */
export interface EvaluatorConfig {
  data: DataConfig;
  run: { out_dir: string; seed: number };
  eval: { n: number; classifier_epochs?: number };
}

export interface EvaluatorOptions {
  /** Generated images per evaluation; default config.eval.n. */
  n?: number;
  /** Classifiers are cached in <outDir>/classifiers/; default config.run.out_dir. */
  outDir?: string;
  /** Overrides of the classifier's training recipe (tests keep it tiny); over config.eval.classifier_epochs. */
  recipe?: Partial<ClassifierRecipe>;
  /** Seed of the train subset the floor is measured on; default config.run.seed. */
  floorSeed?: number;
  /** A progress bar while the classifier trains; default: when stdout is a terminal. */
  interactive?: boolean;
  /** Retrain the classifier even when a matching one is cached. */
  force?: boolean;
  /**
   * The train split when the caller has already loaded it (gan train), so it is not read twice;
   * used only when data.limit left it whole (see evaluationData).
   */
  trainSet?: ImageSet;
  /**
   * The generator to be evaluated is class-conditional: per-class FID then needs every class
   * among the n images, which is checked before the classifier is trained.
   */
  conditional?: boolean;
  /** What the user set n with, for messages: default `eval.n`. */
  nName?: string;
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
  /** KID and precision/recall of the same real training images against the test set. */
  kid: KidResult;
  precisionRecall: PrecisionRecall;
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
  /** The same for real training images (the reference's): what real data scores. */
  kidFloor: KidResult;
  /** Improved precision and recall against the real test set. */
  precisionRecall: PrecisionRecall;
  precisionRecallFloor: PrecisionRecall;
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

/**
 * The data the evaluation reads: the dataset's whole training split whatever data.limit says,
 * so every run on a dataset is judged by the same classifier, floor and requested classes, and
 * a run limited to a few hundred images gets FIDs comparable with anyone's.
 */
export function evaluationData(data: DataConfig): DataConfig {
  return { ...data, limit: 0 };
}

/** Loads the data, gets (or trains) the classifier and measures the real reference once. */
export async function createEvaluator(
  config: EvaluatorConfig,
  io: Log,
  opts: EvaluatorOptions = {},
): Promise<Evaluator> {
  const n = opts.n ?? config.eval.n;
  const nName = opts.nName ?? 'eval.n';
  const data = evaluationData(config.data);
  const given = config.data.limit === 0 ? opts.trainSet : undefined;
  const trainSet = given ?? (await loadImageSet(data, 'train', io));
  const testSet = await loadImageSet(data, 'test', io);
  checkSizes(n, nName, trainSet, testSet);
  // What a conditional generator is asked for: the classes in the training split's proportions,
  // which the real test images share. Asked for equally often, they would leave a gap to the real
  // statistics that no generator could close. (An unlabelled set is refused with the classifier.)
  const classes = Math.max(1, trainSet.classes.length);
  const requestLabels = labelsInProportion(n, classHistogram(trainSet.labels, classes));
  const perClass = perClassProblem(n, nName, requestLabels, trainSet);
  if (opts.conditional && perClass) throw new UserError(perClass);
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
      recipe: defaultRecipe(trainSet.count, { ...configuredEpochs(config), ...opts.recipe }),
      force: opts.force,
      log: io.log,
      warn: io.warn,
      progress: createClassifierProgress(io.log, opts.interactive),
    });
    model = ready.model;
    const realFeatures = await extractFeatures(model, test.count, tensorSource(test.images));
    const testStats = gaussianStats(realFeatures.features, realFeatures.count, realFeatures.dim);
    // The floor: what real images score against the same statistics at the same n. A
    // generator's FID can't be expected to go below it (FID is biased upwards at small n). KID
    // and precision/recall get theirs from the same real images: what real data scores at this n
    // (KID's noise about 0; precision and recall below 1, a k-NN manifold being a sparse estimate).
    const floorCount = Math.min(n, train.count);
    if (floorCount < n) io.warn(`the FID floor uses all ${train.count} training images, fewer than n = ${n}`);
    const floorSeed = opts.floorSeed ?? config.run.seed;
    const floorIndices = permutation(train.count, deriveSeed(floorSeed, EvalStream.floorSubset)).subarray(
      0,
      floorCount,
    );
    const floorSet = await extractFeatures(model, floorCount, tensorSource(train.images, floorIndices));
    const dim = floorSet.dim;
    const reference: RealReference = {
      testCount: test.count,
      score: classifierScore(realFeatures),
      fidFloor: frechetDistance(gaussianStats(floorSet.features, floorSet.count, dim), testStats),
      floorCount,
      kid: await kernelDistance(realFeatures, floorSet, dim, deriveSeed(floorSeed, EvalStream.kidFloor)),
      precisionRecall: await precisionRecall(
        realFeatures,
        floorSet,
        dim,
        deriveSeed(floorSeed, EvalStream.precisionRecallFloor),
      ),
    };
    const classifier = { dir: ready.dir, info: ready.info, trained: ready.trained };
    const real = {
      features: realFeatures,
      stats: testStats,
      labels: testSet.labels,
      perClassGap: perClassGap(testSet),
    };
    return makeEvaluator(n, model, classifier, reference, real, requestLabels, perClass, io);
  } catch (err) {
    model?.dispose();
    throw err;
  } finally {
    train.dispose();
    test.dispose();
  }
}

/** eval.classifier_epochs as a recipe override, when set. */
function configuredEpochs(config: EvaluatorConfig): Partial<ClassifierRecipe> {
  const epochs = config.eval.classifier_epochs;
  return epochs !== undefined ? { epochs } : {};
}

/** What every metric needs whatever the generator: n itself is checked where it is set. */
function checkSizes(n: number, nName: string, trainSet: ImageSet, testSet: ImageSet): void {
  if (n < MIN_EVAL_N) throw new UserError(`${nName} ${n}: expected at least ${MIN_EVAL_N} (${MIN_EVAL_N_REASON})`);
  if (testSet.count < MIN_EVAL_N)
    throw new UserError(
      `data: ${testSet.count} test images, but evaluation needs at least ${MIN_EVAL_N} (${MIN_EVAL_N_REASON}); ` +
        `the test split: ${testSet.origin}`,
    );
  if (trainSet.count < MIN_PER_SET)
    throw new UserError(
      `data: ${trainSet.origin} has ${trainSet.count} training images; the FID floor needs at least ${MIN_PER_SET}`,
    );
}

/**
 * Why n is too small for a conditional generator's per-class FID, or undefined: it fits a
 * covariance to each class's generated images, so it needs at least MIN_PER_SET of each. They
 * are asked for in the training proportions, so how many a class gets depends on n and the data.
 * (A test split short of a class is the data's matter: see perClassGap.)
 */
function perClassProblem(n: number, nName: string, requestLabels: Int32Array, trainSet: ImageSet): string | undefined {
  const classes = trainSet.classes.length;
  const trainCounts = classHistogram(trainSet.labels, classes);
  const requested = classHistogram(requestLabels, classes);
  const short = requested.findIndex((count) => count < MIN_PER_SET);
  if (short >= 0) {
    const enough = smallestSufficientN(trainCounts);
    const fix =
      enough === undefined
        ? `class ${short} has ${trainCounts[short]} of the ${trainSet.count} training images`
        : `${nName} ${enough} or more gives every class ${MIN_PER_SET}`;
    return (
      `${nName} ${n}: per-class FID needs at least ${MIN_PER_SET} generated images of each class, but ${n} in the ` +
      `training proportions give class ${short} only ${requested[short]} (${fix})`
    );
  }
  return undefined;
}

/**
 * The smallest n from which on every class is asked for at least MIN_PER_SET images, up to
 * the largest n allowed; undefined when no such n exists. labelsInProportion rounds each
 * class's cumulative share, so a class of share p gets more than n·p − 1 images: from
 * (MIN_PER_SET + 1) / p on, always enough; below that, the smallest n is searched.
 */
export function smallestSufficientN(trainCounts: number[], maxN = 100000): number | undefined {
  const total = trainCounts.reduce((a, b) => a + b, 0);
  const share = Math.min(...trainCounts) / total;
  if (share === 0) return undefined;
  const sure = Math.max(MIN_EVAL_N, Math.ceil((MIN_PER_SET + 1) / share));
  if (sure > maxN) return undefined;
  const enough = (n: number) =>
    Math.min(...classHistogram(labelsInProportion(n, trainCounts), trainCounts.length)) >= MIN_PER_SET;
  let n = sure;
  while (n > MIN_EVAL_N && sure - n < 1000 && enough(n - 1)) n -= 1;
  return n;
}

/** The real test images as the classifier sees them: features, their statistics, labels. */
interface RealFeatures {
  features: FeatureSet;
  stats: GaussianStats;
  labels: Uint8Array;
  /** Why the test split cannot give per-class FID (a class with too few images), if it cannot. */
  perClassGap: string | undefined;
}

/** A test split with fewer than MIN_PER_SET images of some class (an image folder's test/ may). */
function perClassGap(testSet: ImageSet): string | undefined {
  if (testSet.classes.length === 0) return undefined; // unlabelled: no conditional generator is scored on it
  const counts = classHistogram(testSet.labels, testSet.classes.length);
  const thin = testSet.classes.filter((_, c) => counts[c]! < MIN_PER_SET);
  if (thin.length === 0) return undefined;
  return `per-class FID left out: fewer than ${MIN_PER_SET} test images of ${someNames(thin)} (${testSet.origin})`;
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
  requestLabels: Int32Array,
  perClassProblem: string | undefined,
  io: Log,
): Evaluator {
  const shape = classifierShape(model);
  let realByClass: GaussianStats[] | undefined;
  let gapSaid = false;
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
      if (conditional && perClassProblem) throw new UserError(perClassProblem);
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
        kidFloor: reference.kid,
        precisionRecall: await precisionRecall(
          real.features,
          fake,
          fake.dim,
          deriveSeed(seed, EvalStream.precisionRecall),
        ),
        precisionRecallFloor: reference.precisionRecall,
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
