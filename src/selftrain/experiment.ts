// The `gan selftrain` experiment: do GANs help a classifier when labels are scarce? For each
// repeat, the same N labelled training images go to every recipe:
//   real           the evaluation classifier's LeNet on the N images
//   real-augment   the same, each image shifted by a random ±shift pixels each time it is seen
//   ssgan-net      the semi-supervised GAN's D network on the N images alone (no GAN), with the
//                  semi-supervised config's budget and labelled moves: what the network gives
//                  without the unlabelled images (labelled-only.ts)
//   pseudo-label   real-augment labels the unlabelled training images; the confident ones join
//   gan-augment    N + a conditional generator's images, labelled by their condition
//   cas            a conditional generator's images only (Classification Accuracy Score)
//   ssgan          a semi-supervised run's classifier (its D), trained on these same N labels
//   ssgan+pseudo-label  that classifier labels the unlabelled images; a LeNet learns N + the confident ones
// Every number reported is test accuracy on the real test split; nothing is chosen on it. By
// default every recipe has a fixed budget and nothing is chosen at all; with a validation set
// (at most 10 labelled images per class, beyond the N, and said so) the pseudo-label round is.
import * as tf from '@tensorflow/tfjs';
import { defaultRecipe } from '../lenet/cache.js';
import { accuracy, extractFeatures, tensorSource } from '../lenet/features.js';
import { buildClassifier } from '../lenet/model.js';
import { classifierAccuracy, trainClassifier, type ClassifierProgress } from '../lenet/train.js';
import type { Config } from '../config.js';
import { TrainingSet } from '../data/batches.js';
import type { ImageSet } from '../data/index.js';
import { balancedSubset, concatSets, pick, splitLabels, without, type LabelledBytes } from '../data/subsets.js';
import { UserError } from '../errors.js';
import { pct, plural } from '../text.js';
import { toBytes } from '../image.js';
import type { Log } from '../log.js';
import { classify } from '../ssgan/model.js';
import { deriveSeed } from '../random.js';
import { classCount, generateImages, isConditional, latentDimOf, latentNoise, sampleLabels } from '../sampling.js';
import type { UpdateKernels } from '../train/update-kernels.js';
import { selectConfident } from './core.js';
import { trainLabelledOnly } from './labelled-only.js';

export const RECIPES = [
  'real',
  'real-augment',
  'ssgan-net',
  'pseudo-label',
  'gan-augment',
  'cas',
  'ssgan',
  'ssgan+pseudo-label',
] as const;
export type Recipe = (typeof RECIPES)[number];

/** Random-stream purposes of selftrain (apart from training's and evaluation's numbers). */
const SelfStream = { repeat: 201, validation: 202, labelled: 203, noise: 204, classifier: 205 } as const;

export interface SelftrainSettings {
  recipes: Recipe[];
  /** Real labelled images (a multiple of the class count). */
  labels: number;
  /** Generated images per class (gan-augment, cas). */
  perClass: number;
  threshold: number;
  rounds: number;
  repeats: number;
  /** Fixed epochs per LeNet; when absent, `steps` updates per LeNet. */
  epochs?: number;
  steps: number;
  /** Pixels of the random shifts of the -augment recipes and of the pseudo-label students. */
  shift: number;
  /** Labelled validation images per class held out beyond the N (0 = none: nothing is chosen). */
  validationPerClass: number;
  seed: number;
}

/** A semi-supervised run, as the ssgan recipes use it. */
export interface SsganRun {
  name: string;
  /** Its labelled rows of the training split (labelled.json). */
  labelled: Int32Array;
  /** Its classifier: D's moving average. */
  classifier: tf.LayersModel;
}

export interface SelftrainInputs {
  train: ImageSet;
  test: ImageSet;
  /** For gan-augment and cas: a conditional generator. */
  generator?: tf.LayersModel;
  /** For ssgan and ssgan+pseudo-label: one run per repeat, whose labelled images the repeat uses. */
  ssganRuns?: SsganRun[];
  /** For ssgan-net: the semi-supervised config whose network, budget and schedule it copies. */
  ssganConfig?: Config;
  updates?: Partial<UpdateKernels>;
}

export interface RecipeRun {
  recipe: Recipe;
  repeat: number;
  seed: number;
  testAccuracy: number;
  trainImages: number;
  realImages: number;
  generatedImages: number;
  pseudoLabelled: number;
  /** Updates of the classifier this recipe trained (0 for ssgan: its run trained it). */
  updates: number;
  seconds: number;
  /** pseudo-label: validation accuracy of each round (round 0 = the teacher) and the round kept, when chosen. */
  rounds?: { round: number; kept: number; validationAccuracy: number | null }[];
  selectedRound?: number;
}

export interface SelftrainResult {
  runs: RecipeRun[];
  skipped: { recipe: Recipe; reason: string }[];
}

export interface SelftrainIO extends Pick<Log, 'log'> {
  /** Per-batch progress of each classifier (a bar on a terminal); optional. */
  progress?: ClassifierProgress;
}

/** Which requested recipes cannot run with these inputs, and why. */
export function skippedRecipes(recipes: Recipe[], inputs: SelftrainInputs): { recipe: Recipe; reason: string }[] {
  const conditional = inputs.generator !== undefined && isConditional(inputs.generator);
  const why = (recipe: Recipe): string | undefined => {
    if ((recipe === 'gan-augment' || recipe === 'cas') && !conditional) {
      return inputs.generator
        ? 'the generator is unconditional, so its images have no class labels (train with model.conditional: true)'
        : 'needs a conditional generator: --ckpt RUN';
    }
    if ((recipe === 'ssgan' || recipe === 'ssgan+pseudo-label') && !inputs.ssganRuns) {
      return 'needs semi-supervised runs: --ssgan-runs RUN,... (gan train --config ssgan.yaml, one per repeat)';
    }
    if (recipe === 'ssgan-net' && !inputs.ssganConfig) return 'needs the semi-supervised config (configs/ssgan.yaml)';
    return undefined;
  };
  return recipes.flatMap((recipe) => {
    const reason = why(recipe);
    return reason ? [{ recipe, reason }] : [];
  });
}

const shape = (set: ImageSet) => ({
  height: set.height,
  width: set.width,
  channels: set.channels,
  classes: set.classes.length,
});

export async function runSelftrain(
  inputs: SelftrainInputs,
  s: SelftrainSettings,
  io: SelftrainIO,
): Promise<SelftrainResult> {
  const { train, test, generator } = inputs;
  const classes = train.classes.length;
  if (generator && isConditional(generator) && classCount(generator) !== classes) {
    throw new UserError(`the generator draws ${classCount(generator)} classes, but the dataset has ${classes}`);
  }
  const skipped = skippedRecipes(s.recipes, inputs);
  const active = new Set(s.recipes.filter((r) => !skipped.some((k) => k.recipe === r)));
  const repeats = inputs.ssganRuns?.length ?? s.repeats;
  const testSet = new TrainingSet(test);
  const testLabels = await testSet.labels.data();
  const runs: RecipeRun[] = [];
  try {
    for (let repeat = 0; repeat < repeats; repeat++) {
      runs.push(...(await runRepeat({ inputs, s, io, active, testSet, testLabels }, repeat, repeats)));
    }
  } finally {
    testSet.dispose();
  }
  return { runs, skipped };
}

/** What every repeat shares: the inputs, the settings, the recipes to run and the test set. */
interface RepeatContext {
  inputs: SelftrainInputs;
  s: SelftrainSettings;
  io: SelftrainIO;
  active: Set<Recipe>;
  testSet: TrainingSet;
  testLabels: ArrayLike<number>;
}

/**
 * One repeat: its labelled split (the semi-supervised run's when given, else drawn from the
 * repeat's seed), an optional small validation set, and every active recipe trained and tested.
 */
async function runRepeat(ctx: RepeatContext, repeat: number, repeats: number): Promise<RecipeRun[]> {
  const { inputs, s, io, active, testSet, testLabels } = ctx;
  const { train, generator } = inputs;
  const classes = train.classes.length;
  const runs: RecipeRun[] = [];
  const seed = deriveSeed(s.seed, SelfStream.repeat, repeat);
  const tag = `repeat ${repeat + 1}/${repeats}`;
  const ssgan = inputs.ssganRuns?.[repeat];
  const labelled = ssgan?.labelled ?? choose(train, s.labels, deriveSeed(seed, SelfStream.labelled));
  const validationRows =
    s.validationPerClass > 0
      ? balancedSubset(
          train.labels,
          classes,
          s.validationPerClass,
          deriveSeed(seed, SelfStream.validation),
          without(range(train.count), labelled),
        )
      : undefined;
  const unlabelledRows = without(range(train.count), [...labelled, ...(validationRows ?? [])]);
  const validation = validationRows && new TrainingSet(concatSets([pick(train, validationRows)], train, 'validation'));
  const real = pick(train, labelled);
  const record = (run: Omit<RecipeRun, 'repeat' | 'seed'>) => {
    runs.push({ ...run, repeat: repeat + 1, seed });
    io.log(
      `${tag}  ${run.recipe.padEnd(18)} ${String(run.trainImages).padStart(6)} images  ` +
        `${plural(run.updates, 'update')}  test ${pct(run.testAccuracy)}  ${run.seconds.toFixed(1)} s`,
    );
  };

  /** A LeNet from this repeat's initial weights on `parts`; the caller disposes it. */
  const fit = async (name: string, parts: LabelledBytes[], shift: number) => {
    const set = new TrainingSet(concatSets(parts, train, name));
    const initSeed = deriveSeed(seed, SelfStream.classifier);
    const recipe = { ...defaultRecipe(set.count, { seed: initSeed }), ...(shift > 0 ? { shift } : {}) };
    const batches = Math.max(1, Math.floor(set.count / Math.min(recipe.batchSize, set.count)));
    recipe.epochs = s.epochs ?? Math.max(1, Math.ceil(s.steps / batches));
    const model: tf.LayersModel = buildClassifier(shape(train), initSeed);
    try {
      const { seconds } = await trainClassifier(model, set, recipe, io.progress);
      return { model, updates: recipe.epochs * batches, seconds, count: set.count };
    } finally {
      set.dispose();
    }
  };
  const scoreLeNet = async (recipe: Recipe, fitted: Awaited<ReturnType<typeof fit>>, counts: Counts, extra = {}) =>
    record({
      recipe,
      testAccuracy: await classifierAccuracy(fitted.model, testSet),
      ...counts,
      updates: fitted.updates,
      seconds: fitted.seconds,
      ...extra,
    });

  try {
    const needTeacher = active.has('real-augment') || active.has('pseudo-label');
    if (active.has('real')) {
      const fitted = await fit('real', [real], 0);
      await scoreLeNet('real', fitted, counts(labelled.length));
      fitted.model.dispose();
    }
    const teacher = needTeacher ? await fit('real-augment', [real], s.shift) : undefined;
    if (teacher && active.has('real-augment')) await scoreLeNet('real-augment', teacher, counts(labelled.length));
    if (active.has('ssgan-net')) {
      record({
        recipe: 'ssgan-net',
        ...(await supervisedNetwork(inputs, labelled, testSet, testLabels)),
        ...counts(labelled.length),
      });
    }
    if (teacher && active.has('pseudo-label')) {
      const result = await pseudoLabel(teacher.model, fit, { train, real, unlabelledRows, validation, s, io, tag });
      await scoreLeNet('pseudo-label', result.student, counts(labelled.length, 0, result.kept), {
        rounds: result.rounds,
        ...(validation ? { selectedRound: result.selectedRound } : {}),
      });
      if (result.student.model !== teacher.model) result.student.model.dispose();
    }
    teacher?.model.dispose();
    if (active.has('gan-augment') || active.has('cas')) {
      const generated = await generate(generator!, s.perClass * classes, classes, deriveSeed(seed, SelfStream.noise));
      for (const [recipe, parts] of [
        ['gan-augment', [real, generated]],
        ['cas', [generated]],
      ] as const) {
        if (!active.has(recipe)) continue;
        const fitted = await fit(recipe, [...parts], 0);
        await scoreLeNet(recipe, fitted, counts(recipe === 'cas' ? 0 : labelled.length, generated.labels.length));
        fitted.model.dispose();
      }
    }
    if (ssgan && active.has('ssgan')) {
      const started = performance.now();
      const predicted = await classify(ssgan.classifier, testSet.images);
      record({
        recipe: 'ssgan',
        testAccuracy: accuracy(predicted, testLabels),
        ...counts(labelled.length),
        updates: 0,
        seconds: (performance.now() - started) / 1000,
      });
    }
    if (ssgan && active.has('ssgan+pseudo-label')) {
      const pool = new TrainingSet(concatSets([pick(train, unlabelledRows)], train, 'unlabelled'));
      const predicted = await classify(ssgan.classifier, pool.images);
      pool.dispose();
      // The run's classifier has no calibrated confidence; its labels for every unlabelled image join.
      const pseudo = pick(train, unlabelledRows, predicted);
      const fitted = await fit('ssgan+pseudo-label', [real, pseudo], s.shift);
      await scoreLeNet('ssgan+pseudo-label', fitted, counts(labelled.length, 0, unlabelledRows.length));
      fitted.model.dispose();
    }
  } finally {
    validation?.dispose();
  }
  return runs;
}

type Counts = Pick<RecipeRun, 'trainImages' | 'realImages' | 'generatedImages' | 'pseudoLabelled'>;
const counts = (realImages: number, generatedImages = 0, pseudoLabelled = 0): Counts => ({
  trainImages: realImages + generatedImages + pseudoLabelled,
  realImages,
  generatedImages,
  pseudoLabelled,
});

const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

function choose(train: ImageSet, labels: number, seed: number): Int32Array {
  const classes = train.classes.length;
  try {
    return balancedSubset(train.labels, classes, labels / classes, seed);
  } catch (err) {
    throw new UserError(`--labels ${labels}: ${(err as Error).message}`);
  }
}

/** `count` images of a conditional generator, the classes in turn, as bytes with their labels. */
async function generate(
  generator: tf.LayersModel,
  count: number,
  classes: number,
  seed: number,
): Promise<LabelledBytes> {
  const labels = sampleLabels(count, classes);
  const noise = latentNoise(count, latentDimOf(generator), seed);
  try {
    const batch = await generateImages(generator, noise, labels);
    return { images: toBytes(batch.pixels), labels: Uint8Array.from(labels) };
  } finally {
    noise.dispose();
  }
}

/**
 * ssgan-net (labelled-only.ts) with the semi-supervised config's budget: the D updates its epochs
 * of the whole training set would have.
 */
async function supervisedNetwork(
  inputs: SelftrainInputs,
  labelled: Int32Array,
  testSet: TrainingSet,
  testLabels: ArrayLike<number>,
) {
  const config = inputs.ssganConfig!;
  const started = performance.now();
  const { train } = inputs;
  const { labelled: images } = splitLabels(train, labelled);
  // D's data-dependent initialisation sees the labelled images only: no unlabelled image is used.
  const own = new TrainingSet(concatSets([images], train, 'labelled'));
  const iterations = config.train.epochs * Math.floor(train.count / config.train.batch_size);
  const classifier = trainLabelledOnly(config, images, own, iterations, inputs.updates);
  try {
    const testAccuracy = accuracy(await classify(classifier, testSet.images), testLabels);
    return { testAccuracy, updates: iterations, seconds: (performance.now() - started) / 1000 };
  } finally {
    classifier.dispose();
    own.dispose();
  }
}

/**
 * Rounds of pseudo-labelling from `teacher`: the unlabelled training images it is confident about
 * (≥ threshold) join the labelled ones for a student, which teaches the next round. Without a
 * validation set the last round is kept; with one, the best round on it (round 0 = the teacher).
 */
async function pseudoLabel(
  teacher: tf.LayersModel,
  fit: (
    name: string,
    parts: LabelledBytes[],
    shift: number,
  ) => Promise<{ model: tf.LayersModel; updates: number; seconds: number; count: number }>,
  c: {
    train: ImageSet;
    real: LabelledBytes;
    unlabelledRows: Int32Array;
    validation?: TrainingSet;
    s: SelftrainSettings;
    io: SelftrainIO;
    tag: string;
  },
) {
  const pool = new TrainingSet(concatSets([pick(c.train, c.unlabelledRows)], c.train, 'unlabelled'));
  const rate = async (model: tf.LayersModel) => (c.validation ? classifierAccuracy(model, c.validation) : null);
  const rounds: NonNullable<RecipeRun['rounds']> = [{ round: 0, kept: 0, validationAccuracy: await rate(teacher) }];
  let current = { model: teacher, updates: 0, seconds: 0, count: 0 };
  let best = { ...current, round: 0, kept: 0, score: rounds[0]!.validationAccuracy ?? -1 };
  try {
    for (let round = 1; round <= c.s.rounds; round++) {
      const table = await extractFeatures(current.model, pool.count, tensorSource(pool.images));
      const kept = selectConfident(table, c.s.threshold);
      c.io.log(
        `${c.tag}  pseudo-label round ${round}/${c.s.rounds}: kept ${kept.indices.length} of ${pool.count} ` +
          `unlabelled images at confidence ≥ ${c.s.threshold}`,
      );
      const rows = Int32Array.from(kept.indices, (k) => c.unlabelledRows[k]!);
      const student = await fit('pseudo-label', [c.real, pick(c.train, rows, kept.labels)], c.s.shift);
      const score = await rate(student.model);
      rounds.push({ round, kept: kept.indices.length, validationAccuracy: score });
      const keep = !c.validation || (score ?? -1) > best.score;
      if (current.model !== teacher && current.model !== best.model) current.model.dispose();
      if (keep) {
        if (best.model !== teacher) best.model.dispose();
        best = { ...student, round, kept: kept.indices.length, score: score ?? -1 };
      }
      current = student;
    }
  } finally {
    pool.dispose();
  }
  if (current.model !== teacher && current.model !== best.model) current.model.dispose();
  return { student: best, kept: best.kept, rounds, selectedRound: best.round };
}
