// The evaluation classifier is trained once per dataset and reused: it lives in
// <out_dir>/classifiers/<dataset>-<data hash>/ (model.json + weights.bin + info.json). The hash
// is over the actual training bytes, so another dataset or source gets its own classifier (the
// evaluator always passes the whole training split, whatever data.limit); a recipe change
// (epochs, architecture) retrains in place.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainingSet } from '../data/batches.js';
import type { ImageSet } from '../data/index.js';
import { loadModel, saveModel } from '../checkpoint/model-io.js';
import { writeFileDurable, publishDirectory } from '../fs-atomic.js';
import { CLASSIFIER_ARCH, CLASSIFIER_SEED, buildClassifier } from './model.js';
import { classifierAccuracy, trainClassifier, type ClassifierProgress, type ClassifierRecipe } from './train.js';
import { environmentProblem, UserError } from '../errors.js';
import { plural } from '../text.js';

export const CLASSIFIERS_DIR = 'classifiers';
export const INFO_JSON = 'info.json';

/** Adam at its usual rate, batch 64 (larger batches were no faster per image on wasm). */
const BASE_RECIPE = { batchSize: 64, learningRate: 1e-3, seed: CLASSIFIER_SEED };

/**
 * Training length is a budget of updates, not of epochs: 8,000 images need many passes, 60,000
 * few. Accuracy still rose up to the budget on the 8k digits, and 2 epochs left Fashion-MNIST
 * short (docs/metrics.md), hence at least 4 epochs. At most 20.
 */
export const UPDATE_BUDGET = 1500;
const MIN_EPOCHS = 4;
const MAX_EPOCHS = 20;

/** The recipe for a training set of `count` images, with optional overrides (e.g. epochs). */
export function defaultRecipe(count: number, overrides: Partial<ClassifierRecipe> = {}): ClassifierRecipe {
  const batchSize = overrides.batchSize ?? BASE_RECIPE.batchSize;
  const perEpoch = Math.max(1, Math.floor(count / batchSize));
  const epochs = Math.min(MAX_EPOCHS, Math.max(MIN_EPOCHS, Math.ceil(UPDATE_BUDGET / perEpoch)));
  return { ...BASE_RECIPE, epochs, ...overrides };
}

/** What info.json records about a trained classifier. */
export interface ClassifierInfo {
  arch: string;
  dataset: string;
  /** sha256 of the training images and labels (with their shape), hex. */
  dataHash: string;
  trainOrigin: string;
  trainCount: number;
  testCount: number;
  classes: string[];
  recipe: ClassifierRecipe;
  /** Accuracy on the held-out test split. */
  testAccuracy: number;
  trainSeconds: number;
  engine: string;
  date: string;
}

export interface ReadyClassifier {
  model: tf.LayersModel;
  info: ClassifierInfo;
  dir: string;
  /** True when this call trained it; false when a cached one was loaded. */
  trained: boolean;
}

/** sha256 over the shape, then the pixel bytes, then the label bytes. */
export function dataHash(set: ImageSet): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ count: set.count, height: set.height, width: set.width, classes: set.classes }));
  hash.update(set.images);
  hash.update(set.labels);
  return hash.digest('hex');
}

export function classifierDir(outDir: string, dataset: string, hash: string): string {
  return join(outDir, CLASSIFIERS_DIR, `${dataset}-${hash.slice(0, 16)}`);
}

/** The cached info.json when it matches this data and recipe; undefined otherwise (with the reason logged). */
function reusableInfo(
  dir: string,
  hash: string,
  recipe: ClassifierRecipe,
  log: (line: string) => void,
): ClassifierInfo | undefined {
  const path = join(dir, INFO_JSON);
  if (!existsSync(path)) return undefined;
  let info: ClassifierInfo;
  try {
    info = JSON.parse(readFileSync(path, 'utf8')) as ClassifierInfo;
  } catch (err) {
    log(`${path}: unreadable (${(err as Error).message.split('\n')[0]}); retraining the classifier`);
    return undefined;
  }
  const why =
    info.dataHash !== hash
      ? 'its training data differs'
      : info.arch !== CLASSIFIER_ARCH
        ? `architecture ${info.arch} is not the current ${CLASSIFIER_ARCH}`
        : JSON.stringify(info.recipe) !== JSON.stringify(recipe)
          ? `it was trained with ${JSON.stringify(info.recipe)}, not ${JSON.stringify(recipe)}`
          : undefined;
  if (why) {
    log(`${dir}: ${why}; retraining the classifier`);
    return undefined;
  }
  return info;
}

export interface ClassifierRequest {
  dataset: string;
  /** The training split as bytes (hashed: the cache key) and as tensors (trained on). */
  trainSet: ImageSet;
  train: TrainingSet;
  /** The held-out split the accuracy in info.json is measured on. */
  test: TrainingSet;
  outDir: string;
  /** Default: defaultRecipe(train count). */
  recipe?: ClassifierRecipe;
  /** Retrain even when a matching classifier is cached. */
  force?: boolean;
  log: (line: string) => void;
  /** Where a classifier that could not be cached is reported (default: log). */
  warn?: (line: string) => void;
  progress?: ClassifierProgress;
}

/** Loads the cached classifier for this data and recipe, or trains, tests and saves one. */
export async function getClassifier(req: ClassifierRequest): Promise<ReadyClassifier> {
  const recipe = req.recipe ?? defaultRecipe(req.trainSet.count);
  const hash = dataHash(req.trainSet);
  const dir = classifierDir(req.outDir, req.dataset, hash);
  const cached = req.force ? undefined : reusableInfo(dir, hash, recipe, req.log);
  if (cached) {
    try {
      return { model: await loadModel(dir), info: cached, dir, trained: false };
    } catch (err) {
      // A damaged cache is not the user's problem to fix by hand: say so and train a new one.
      req.log(`${(err as Error).message}; retraining the classifier`);
    }
  }

  const { height, width, channels } = req.trainSet;
  const shape = { height, width, channels, classes: req.trainSet.classes.length };
  if (shape.classes < 2) {
    throw new UserError(
      `${req.trainSet.origin}: the evaluation classifier (FID features, classifier score) learns from labelled ` +
        `images of at least 2 classes; this set has ${shape.classes === 0 ? 'no labels' : 'only 1 class'} (an ` +
        'image folder is labelled by its class sub-folders)',
    );
  }
  req.log(
    `training the evaluation classifier on ${req.trainSet.origin} (${plural(recipe.epochs, 'epoch')}; saved to ` +
      `${dir} and reused)`,
  );
  const model = buildClassifier(shape, recipe.seed);
  try {
    const { seconds } = await trainClassifier(model, req.train, recipe, req.progress);
    const info: ClassifierInfo = {
      arch: CLASSIFIER_ARCH,
      dataset: req.dataset,
      dataHash: hash,
      trainOrigin: req.trainSet.origin,
      trainCount: req.trainSet.count,
      testCount: req.test.count,
      classes: req.trainSet.classes,
      recipe,
      testAccuracy: await classifierAccuracy(model, req.test),
      trainSeconds: seconds,
      engine: tf.getBackend(),
      date: new Date().toISOString(),
    };
    await saveClassifier(model, info, dir, req.warn ?? req.log);
    return { model, info, dir, trained: true };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/**
 * Written into a temporary directory and renamed into place: a crash never leaves half a
 * classifier. The cache is optional: where the machine refuses to write it (a read-only or full
 * disk), a warning says so and the classifier is used all the same.
 */
async function saveClassifier(
  model: tf.LayersModel,
  info: ClassifierInfo,
  dir: string,
  warn: (line: string) => void,
): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    await saveModel(model, tmp);
    writeFileDurable(join(tmp, INFO_JSON), `${JSON.stringify(info, null, 2)}\n`);
    publishDirectory(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    const env = environmentProblem(err);
    if (!env) throw err;
    warn(`${dir}: cannot cache the evaluation classifier: ${env.problem}; it is trained again next time`);
  }
}
