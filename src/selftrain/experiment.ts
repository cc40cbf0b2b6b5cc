// The `gan selftrain` experiment: for each repeat (seed), hold out a validation split of the
// real TRAIN images, draw the class-balanced labelled subset from the rest, draw generated
// images, and train one evaluation-style classifier per recipe; every classifier is scored on
// the validation split (used for selection: the pseudo-label round) and on the real test split
// (reported, never used to choose anything).
import * as tf from '@tensorflow/tfjs';
import { TrainingSet } from '../data/batches.js';
import type { ImageSet } from '../data/index.js';
import { UserError } from '../errors.js';
import type { Log } from '../log.js';
import { defaultRecipe } from '../classifier/cache.js';
import { extractFeatures, tensorSource } from '../classifier/features.js';
import { buildClassifier } from '../classifier/model.js';
import { classifierAccuracy, trainClassifier, type ClassifierProgress } from '../classifier/train.js';
import { deriveSeed, permutation } from '../random.js';
import { classCount, generateImages, isConditional, latentDimOf, latentNoise, sampleLabels } from '../sampling.js';
import { balancedSubset, concatSets, holdOut, pick, without, type LabelledBytes } from '../data/subsets.js';
import { selectConfident } from './core.js';
import { pct, plural } from '../format.js';
import { toBytes } from '../image.js';

export const RECIPES = ['real', 'gan-augment', 'pseudo-label', 'cas'] as const;
export type Recipe = (typeof RECIPES)[number];

/** Random-stream purposes of selftrain (apart from training's and evaluation's numbers). */
const SelfStream = {
  repeat: 201,
  validation: 202,
  labelled: 203,
  noise: 204,
  classifier: 205,
  unlabelled: 206,
} as const;

export interface SelftrainSettings {
  recipes: Recipe[];
  /** Real labelled images (a multiple of the class count). */
  labels: number;
  /** Generated images per class (gan-augment, cas, and pseudo-label's candidates). */
  perClass: number;
  threshold: number;
  rounds: number;
  repeats: number;
  /** Fixed epochs per classifier; when absent, `steps` updates per classifier. */
  epochs?: number;
  steps: number;
  /** Real train images held out for validation. */
  validation: number;
  seed: number;
}

export interface RoundInfo {
  round: number;
  candidates: number;
  kept: number;
  validationAccuracy: number;
}

export interface RecipeRun {
  recipe: Recipe;
  repeat: number;
  seed: number;
  testAccuracy: number;
  validationAccuracy: number;
  trainImages: number;
  realImages: number;
  generatedImages: number;
  pseudoLabelled: number;
  epochs: number;
  updates: number;
  seconds: number;
  /**
   * pseudo-label: where the candidates came from, every round, and the round picked on validation
   * (0 = the real-only teacher).
   */
  pseudo?: { source: 'generated' | 'unlabelled-real'; rounds: RoundInfo[]; selectedRound: number };
}

export interface SelftrainResult {
  runs: RecipeRun[];
  skipped: { recipe: Recipe; reason: string }[];
  conditional: boolean;
}

export interface SelftrainIO extends Pick<Log, 'log'> {
  /** Per-batch progress of each classifier (a bar on a terminal); optional. */
  progress?: ClassifierProgress;
}

/** Which requested recipes cannot run with this generator, and why. */
export function skippedRecipes(recipes: Recipe[], conditional: boolean): { recipe: Recipe; reason: string }[] {
  if (conditional) return [];
  return recipes
    .filter((r) => r === 'gan-augment' || r === 'cas')
    .map((recipe) => ({
      recipe,
      reason: 'the generator is unconditional, so its images have no class labels (train with model.conditional: true)',
    }));
}

export async function runSelftrain(
  generator: tf.LayersModel,
  train: ImageSet,
  test: ImageSet,
  s: SelftrainSettings,
  io: SelftrainIO,
): Promise<SelftrainResult> {
  const classes = train.classes.length;
  const conditional = isConditional(generator);
  if (conditional && classCount(generator) !== classes) {
    throw new UserError(`the generator draws ${classCount(generator)} classes, but the dataset has ${classes}`);
  }
  const [, gh, gw] = generator.outputs[0]!.shape as number[];
  if (gh !== train.height || gw !== train.width)
    throw new UserError(`the generator makes ${gh}×${gw} images, but the dataset's are ${train.height}×${train.width}`);
  const skipped = skippedRecipes(s.recipes, conditional);
  const active = s.recipes.filter((r) => !skipped.some((k) => k.recipe === r));
  const shape = { height: train.height, width: train.width, classes };
  const testSet = new TrainingSet(test);
  const runs: RecipeRun[] = [];
  try {
    for (let repeat = 0; repeat < s.repeats; repeat++) {
      const seed = deriveSeed(s.seed, SelfStream.repeat, repeat);
      const tag = `repeat ${repeat + 1}/${s.repeats}`;
      const split = holdOut(train.count, s.validation, deriveSeed(seed, SelfStream.validation));
      let labelled: Int32Array;
      try {
        labelled = balancedSubset(
          train.labels,
          classes,
          s.labels / classes,
          deriveSeed(seed, SelfStream.labelled),
          split.rest,
        );
      } catch (err) {
        throw new UserError(
          `--labels ${s.labels}: ${(err as Error).message} after holding out ${s.validation} validation images`,
        );
      }
      const real = pick(train, labelled);
      const validation = new TrainingSet(concatSets([pick(train, split.validation)], train, 'validation'));
      const initSeed = deriveSeed(seed, SelfStream.classifier);

      const needGenerated =
        active.some((r) => r === 'gan-augment' || r === 'cas') || (active.includes('pseudo-label') && !conditional);
      let generated: LabelledBytes | undefined;
      if (needGenerated) {
        const count = s.perClass * classes;
        const labels = conditional ? sampleLabels(count, classes) : undefined;
        const noise = latentNoise(count, latentDimOf(generator), deriveSeed(seed, SelfStream.noise));
        try {
          const batch = await generateImages(generator, noise, labels);
          generated = {
            images: toBytes(batch.pixels),
            labels: labels ? Uint8Array.from(labels) : new Uint8Array(count),
          };
        } finally {
          noise.dispose();
        }
      }

      /** Trains a fresh classifier (same initial weights within a repeat) and scores it on validation. */
      const fit = async (name: string, parts: LabelledBytes[]) => {
        const set = new TrainingSet(concatSets(parts, train, name));
        const recipe = defaultRecipe(set.count, { seed: initSeed });
        const batches = Math.max(1, Math.floor(set.count / Math.min(recipe.batchSize, set.count)));
        recipe.epochs = s.epochs ?? Math.max(1, Math.ceil(s.steps / batches));
        const model = buildClassifier(shape, initSeed);
        try {
          const result = await trainClassifier(model, set, recipe, io.progress);
          const validationAccuracy = await classifierAccuracy(model, validation);
          return {
            model,
            validationAccuracy,
            count: set.count,
            epochs: recipe.epochs,
            updates: recipe.epochs * batches,
            seconds: result.seconds,
          };
        } catch (err) {
          model.dispose();
          throw err;
        } finally {
          set.dispose();
        }
      };
      const record = async (
        recipe: Recipe,
        fitted: Awaited<ReturnType<typeof fit>>,
        counts: { real: number; generated: number; pseudo: number },
        pseudo?: RecipeRun['pseudo'],
      ) => {
        const testAccuracy = await classifierAccuracy(fitted.model, testSet);
        const run: RecipeRun = {
          recipe,
          repeat: repeat + 1,
          seed,
          testAccuracy,
          validationAccuracy: fitted.validationAccuracy,
          trainImages: counts.real + counts.generated + counts.pseudo,
          realImages: counts.real,
          generatedImages: counts.generated,
          pseudoLabelled: counts.pseudo,
          epochs: fitted.epochs,
          updates: fitted.updates,
          seconds: fitted.seconds,
          ...(pseudo ? { pseudo } : {}),
        };
        runs.push(run);
        io.log(
          `${tag}  ${recipe.padEnd(12)} ${String(run.trainImages).padStart(6)} images  ` +
            `${plural(fitted.updates, 'update')}  validation ${pct(run.validationAccuracy)}  test ` +
            `${pct(testAccuracy)}  ${fitted.seconds.toFixed(1)} s`,
        );
      };

      const realCount = { real: labelled.length, generated: 0, pseudo: 0 };
      let teacher: Awaited<ReturnType<typeof fit>> | undefined;
      try {
        if (active.includes('real') || active.includes('pseudo-label')) {
          teacher = await fit('real', [real]);
          if (active.includes('real')) await record('real', teacher, realCount);
        }
        if (active.includes('gan-augment')) {
          const fitted = await fit('gan-augment', [real, generated!]);
          try {
            await record('gan-augment', fitted, {
              real: labelled.length,
              generated: generated!.labels.length,
              pseudo: 0,
            });
          } finally {
            fitted.model.dispose();
          }
        }
        if (active.includes('pseudo-label')) {
          const source = conditional ? 'unlabelled-real' : 'generated';
          let candidates: LabelledBytes & { height: number; width: number };
          if (conditional) {
            // A conditional G's images already carry labels (that is gan-augment); pseudo-labelling
            // is then the classic semi-supervised baseline on the unlabelled real train images.
            const pool = without(split.rest, labelled);
            const order = permutation(pool.length, deriveSeed(seed, SelfStream.unlabelled));
            const chosen = Int32Array.from(
              order.subarray(0, Math.min(pool.length, s.perClass * classes)),
              (k) => pool[k]!,
            );
            candidates = { ...pick(train, chosen), height: train.height, width: train.width };
          } else {
            candidates = { ...generated!, height: train.height, width: train.width };
          }
          const candidateSet = new TrainingSet(concatSets([candidates], train, 'candidates'));
          const rounds: RoundInfo[] = [
            { round: 0, candidates: candidateSet.count, kept: 0, validationAccuracy: teacher!.validationAccuracy },
          ];
          let best = teacher!;
          let bestRound = 0;
          let bestKept = 0;
          let current = teacher!;
          try {
            for (let round = 1; round <= s.rounds; round++) {
              const table = await extractFeatures(current.model, candidateSet.count, tensorSource(candidateSet.images));
              const kept = selectConfident(table, s.threshold);
              io.log(
                `${tag}  pseudo-label round ${round}/${s.rounds}: kept ${kept.indices.length} of ` +
                  `${candidateSet.count} ${source} images at confidence ≥ ${s.threshold}`,
              );
              const student = await fit('pseudo-label', [real, pick(candidates, kept.indices, kept.labels)]);
              rounds.push({
                round,
                candidates: candidateSet.count,
                kept: kept.indices.length,
                validationAccuracy: student.validationAccuracy,
              });
              if (current !== teacher && current !== best) current.model.dispose();
              current = student;
              // Selection on the validation split only: a later round must beat the best so far.
              if (student.validationAccuracy > best.validationAccuracy) {
                if (best !== teacher) best.model.dispose();
                best = student;
                bestRound = round;
                bestKept = kept.indices.length;
              }
            }
            await record(
              'pseudo-label',
              best,
              { real: labelled.length, generated: 0, pseudo: bestKept },
              { source, rounds, selectedRound: bestRound },
            );
          } finally {
            if (current !== teacher && current !== best) current.model.dispose();
            if (best !== teacher) best.model.dispose();
            candidateSet.dispose();
          }
        }
        teacher?.model.dispose();
        teacher = undefined;
        if (active.includes('cas')) {
          const fitted = await fit('cas', [generated!]);
          try {
            await record('cas', fitted, { real: 0, generated: generated!.labels.length, pseudo: 0 });
          } finally {
            fitted.model.dispose();
          }
        }
      } finally {
        teacher?.model.dispose();
        validation.dispose();
      }
    }
  } finally {
    testSet.dispose();
  }
  return { runs, skipped, conditional };
}
