// `gan selftrain`: does a generator help a classifier when labels are scarce? Trains the
// evaluation classifier architecture under several recipes (real only, real + generated,
// pseudo-labels, generated only) over a few seeds and prints test accuracy, mean ± std.
import { join } from 'node:path';
import { checkpointData } from '../checkpoint/run-dir.js';
import { loadImageSet } from '../data/index.js';
import { UserError } from '../errors.js';
import { defaultRecipe } from '../classifier/cache.js';
import { createClassifierProgress } from '../classifier/train.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { meanStd } from '../stats.js';
import { RECIPES, runSelftrain, type Recipe, type RecipeRun, type SelftrainSettings } from '../selftrain/experiment.js';
import { plural } from '../format.js';
import type { Log } from '../log.js';
import { openGenerator, type GeneratorOptions } from './setup.js';

/** The CLI's options: the experiment settings as parsed flags, plus where and how to run. */
export interface SelftrainOptions extends Omit<SelftrainSettings, 'recipes' | 'validation'>, GeneratorOptions {
  /** Comma list as typed; parsed by parseRecipes. */
  recipes?: string;
  /** Real train images held out for validation; default 10% of the train split, at most 1000. */
  validation?: number;
  json?: string;
}

/** `real,cas` → the recipes in the canonical order; unknown names are a UserError. */
export function parseRecipes(value: string | undefined): Recipe[] {
  if (value === undefined) return [...RECIPES];
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(RECIPES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0)
    throw new UserError(
      `--recipes ${value}: unknown recipe ${unknown.join(', ') || '(none)'}; expected a comma list of ` +
        `${RECIPES.join(', ')}`,
    );
  return RECIPES.filter((r) => names.includes(r));
}

export interface RecipeSummary {
  recipe: Recipe;
  repeats: number;
  test_accuracy_mean: number;
  test_accuracy_std: number;
  validation_accuracy_mean: number;
  train_images_mean: number;
  real_images: number;
  generated_images: number;
  pseudo_labelled_mean: number;
  /** pseudo-label: the round picked on validation in each repeat (0 = the real-only teacher). */
  selected_rounds?: number[];
}

export function summarise(runs: RecipeRun[]): RecipeSummary[] {
  return RECIPES.flatMap((recipe) => {
    const mine = runs.filter((r) => r.recipe === recipe);
    if (mine.length === 0) return [];
    const test = meanStd(mine.map((r) => r.testAccuracy));
    return [
      {
        recipe,
        repeats: mine.length,
        test_accuracy_mean: test.mean,
        test_accuracy_std: test.std,
        validation_accuracy_mean: meanStd(mine.map((r) => r.validationAccuracy)).mean,
        train_images_mean: meanStd(mine.map((r) => r.trainImages)).mean,
        real_images: mine[0]!.realImages,
        generated_images: mine[0]!.generatedImages,
        pseudo_labelled_mean: meanStd(mine.map((r) => r.pseudoLabelled)).mean,
        ...(recipe === 'pseudo-label' ? { selected_rounds: mine.map((r) => r.pseudo?.selectedRound ?? 0) } : {}),
      },
    ];
  });
}

function composition(s: RecipeSummary): string {
  const parts: string[] = [];
  if (s.real_images) parts.push(`${s.real_images} real`);
  if (s.generated_images) parts.push(`${s.generated_images} generated`);
  if (s.recipe === 'pseudo-label')
    parts.push(
      `${Number.isInteger(s.pseudo_labelled_mean) ? s.pseudo_labelled_mean : s.pseudo_labelled_mean.toFixed(1)} ` +
        `pseudo-labelled (round chosen on validation: ${s.selected_rounds?.join(', ')})`,
    );
  return parts.join(' + ');
}

export function formatTable(summaries: RecipeSummary[]): string[] {
  const rows = summaries.map((s) => [
    s.recipe,
    `${(100 * s.test_accuracy_mean).toFixed(2)}% ± ${(100 * s.test_accuracy_std).toFixed(2)}`,
    `${(100 * s.validation_accuracy_mean).toFixed(2)}%`,
    Number.isInteger(s.train_images_mean) ? String(s.train_images_mean) : s.train_images_mean.toFixed(1),
    composition(s),
  ]);
  const head = ['recipe', 'test accuracy', 'validation', 'train images', 'made of'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

export async function selftrainCommand(
  opts: SelftrainOptions,
  io: Log,
): Promise<{ jsonPath: string; record: Record<string, unknown> }> {
  const recipes = parseRecipes(opts.recipes);
  const generator = await openGenerator(opts, io);
  const { ref, engine } = generator;
  const data = checkpointData(ref);
  const train = await loadImageSet(data, 'train', io);
  const test = await loadImageSet(data, 'test', io);
  const classes = train.classes.length;
  const validation = opts.validation ?? Math.min(1000, Math.max(classes, Math.round(train.count / 10)));
  if (opts.labels % classes !== 0)
    throw new UserError(
      `--labels ${opts.labels}: expected a multiple of the ${classes} classes (the labelled set is class-balanced)`,
    );
  if (validation >= train.count - opts.labels)
    throw new UserError(
      `--validation ${validation}: the ${train.count} training images cannot give ${validation} validation images ` +
        `besides ${opts.labels} labelled ones`,
    );

  const config = ref.state.config as { model?: { conditional?: boolean } };
  const conditional = generator.info.conditional;
  const genTrainedOn =
    `${train.count} ${data.dataset} training images ` +
    `${conditional || config.model?.conditional ? 'WITH their labels' : 'without labels'}`;
  const settings: SelftrainSettings = {
    recipes,
    labels: opts.labels,
    perClass: opts.perClass,
    threshold: opts.threshold,
    rounds: opts.rounds,
    repeats: opts.repeats,
    ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
    steps: opts.steps,
    validation,
    seed: opts.seed,
  };
  const base = defaultRecipe(1);
  const budget =
    opts.epochs !== undefined
      ? `${plural(opts.epochs, 'epoch')} per classifier`
      : `${plural(opts.steps, 'update')} per classifier`;
  io.log(
    `generator: ${ref.dir} (${generator.weights} weights, ${conditional ? 'conditional' : 'unconditional'}; ` +
      `trained on ${genTrainedOn})`,
  );
  if (conditional)
    io.log(
      `note: this generator has seen the labels of all ${train.count} training images, so gan-augment and cas are ` +
        `not label-scarce: they measure what its labels are worth`,
    );
  io.log(
    `labelled: ${opts.labels} real images (${opts.labels / classes} per class); validation: ${validation} real ` +
      `train images held out; test: ${test.count} real test images`,
  );
  io.log(
    `classifier: the evaluation classifier's architecture, ${budget}, batch ${base.batchSize}, Adam ` +
      `${base.learningRate}; ${plural(opts.repeats, 'repeat')} from seed ${opts.seed}`,
  );

  const started = performance.now();
  let result;
  try {
    const interactive = Boolean(process.stdout.isTTY);
    result = await runSelftrain(generator.model, train, test, settings, {
      log: io.log,
      ...(interactive ? { progress: createClassifierProgress(() => {}, true) } : {}),
    });
  } finally {
    generator.model.dispose();
  }
  for (const s of result.skipped) io.log(`skipped ${s.recipe}: ${s.reason}`);
  const summaries = summarise(result.runs);
  io.log('');
  io.log(`test accuracy on ${test.count} real test images, mean ± std over ${plural(opts.repeats, 'repeat')}:`);
  for (const line of formatTable(summaries)) io.log(line);
  const seconds = (performance.now() - started) / 1000;
  io.log(`${result.runs.length} classifiers in ${seconds.toFixed(1)} s`);

  const record: Record<string, unknown> = {
    checkpoint: ref.dir,
    epoch: ref.state.epoch,
    generator: {
      weights: generator.weights,
      conditional,
      trained_on: genTrainedOn,
      train_count: train.count,
      with_labels: conditional || Boolean(config.model?.conditional),
    },
    dataset: data.dataset,
    engine: engine.name,
    settings: {
      recipes,
      labels: opts.labels,
      per_class: opts.perClass,
      threshold: opts.threshold,
      rounds: opts.rounds,
      repeats: opts.repeats,
      epochs: opts.epochs ?? null,
      steps: opts.epochs === undefined ? opts.steps : null,
      validation,
      seed: opts.seed,
    },
    classifier: { batch_size: base.batchSize, learning_rate: base.learningRate, budget },
    test_count: test.count,
    summary: summaries,
    skipped: result.skipped,
    runs: result.runs,
    seconds,
    time: new Date().toISOString(),
  };
  const jsonPath = opts.json ?? join(ref.runDir, 'selftrain.json');
  writeFileAtomic(jsonPath, `${JSON.stringify(record, null, 2)}\n`);
  io.log(`wrote ${jsonPath}`);
  return { jsonPath, record };
}
