// `gan selftrain`: do GANs help a classifier when labels are scarce? Runs the recipes of
// selftrain/experiment.ts on the same N labels per repeat and prints test accuracy, mean ± std.
// The dataset comes from --config (default ssgan.yaml), from the semi-supervised runs, or from
// the generator's run; they must agree.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRecipe } from '../lenet/cache.js';
import { createClassifierProgress } from '../lenet/train.js';
import { loadGenerator } from '../checkpoint/generator.js';
import { loadModel } from '../checkpoint/model-io.js';
import { refuseOutputInsideRun } from '../checkpoint/output-path.js';
import {
  checkpointData,
  DISCRIMINATOR_DIR,
  DISCRIMINATOR_EMA_DIR,
  LABELLED_JSON,
  readJson,
  resolveCheckpoint,
  type CheckpointRef,
} from '../checkpoint/run-dir.js';
import { loadConfig, parseSavedConfig, resolveConfigPath, type Config, type DataConfig } from '../config.js';
import { loadImageSet } from '../data/index.js';
import { UserError } from '../errors.js';
import { pct, plural } from '../text.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { terminal, type Log } from '../log.js';
import { isConditional } from '../sampling.js';
import {
  RECIPES,
  runSelftrain,
  type Recipe,
  type RecipeRun,
  type SelftrainSettings,
  type SsganRun,
} from '../selftrain/experiment.js';
import { meanStd } from '../stats.js';
import { startEngine } from './setup.js';
import type { Command } from 'commander';
import {
  backendOption,
  noEmaOption,
  outDirOption,
  parseFractionOption,
  parseIntOption,
  parsePathOption,
  seedOption,
} from './options.js';

export interface SelftrainOptions extends Omit<SelftrainSettings, 'recipes' | 'labels' | 'repeats'> {
  labels?: number;
  repeats?: number;
  /** Comma list as typed; parsed by parseRecipes. */
  recipes?: string;
  /** A (conditional) generator for gan-augment and cas. */
  ckpt?: string;
  /** Semi-supervised runs, one per repeat (comma list as typed). */
  ssganRuns?: string;
  config: string;
  json?: string;
  ema: boolean;
  outDir: string;
  backend?: string;
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

/**
 * `ss1,ss2` → the run names. An empty item (`,` or `ss1,`, often a shell variable that was not
 * set) is refused: read as "no runs", it would start the config's own, much longer experiment.
 */
export function parseRunList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const names = value.split(',').map((n) => n.trim());
  if (names.includes('')) {
    throw new UserError(
      `--ssgan-runs ${value === '' ? "''" : value}: an empty run name in the list; expected run names separated ` +
        'by commas, e.g. ss1,ss2',
    );
  }
  return names;
}

export interface RecipeSummary {
  recipe: Recipe;
  repeats: number;
  test_accuracy_mean: number;
  test_accuracy_std: number;
  train_images_mean: number;
  real_images: number;
  generated_images: number;
  pseudo_labelled_mean: number;
  updates: number;
  /** pseudo-label with a validation set: the round kept in each repeat (0 = the teacher). */
  selected_rounds?: number[];
}

export function summarise(runs: RecipeRun[]): RecipeSummary[] {
  return RECIPES.flatMap((recipe) => {
    const mine = runs.filter((r) => r.recipe === recipe);
    if (mine.length === 0) return [];
    const test = meanStd(mine.map((r) => r.testAccuracy));
    const rounds = mine.flatMap((r) => (r.selectedRound === undefined ? [] : [r.selectedRound]));
    return [
      {
        recipe,
        repeats: mine.length,
        test_accuracy_mean: test.mean,
        test_accuracy_std: test.std,
        train_images_mean: meanStd(mine.map((r) => r.trainImages)).mean,
        real_images: mine[0]!.realImages,
        generated_images: mine[0]!.generatedImages,
        pseudo_labelled_mean: meanStd(mine.map((r) => r.pseudoLabelled)).mean,
        updates: mine[0]!.updates,
        ...(rounds.length ? { selected_rounds: rounds } : {}),
      },
    ];
  });
}

function composition(s: RecipeSummary): string {
  const parts: string[] = [];
  if (s.real_images) parts.push(`${s.real_images} labelled`);
  if (s.generated_images) parts.push(`${s.generated_images} generated`);
  if (s.pseudo_labelled_mean) parts.push(`${Math.round(s.pseudo_labelled_mean)} pseudo-labelled`);
  if (s.recipe === 'ssgan') parts.push('+ every unlabelled training image, through the GAN');
  if (s.selected_rounds) parts.push(`(round chosen on validation: ${s.selected_rounds.join(', ')})`);
  return parts.join(' + ').replace(' + +', ' +');
}

export function formatTable(summaries: RecipeSummary[]): string[] {
  const rows = summaries.map((s) => [
    s.recipe,
    `${(100 * s.test_accuracy_mean).toFixed(2)}% ± ${(100 * s.test_accuracy_std).toFixed(2)}`,
    String(s.updates),
    composition(s),
  ]);
  const head = ['recipe', 'test accuracy', 'updates', 'trained on'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 0 || c === 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

/** A semi-supervised run's latest checkpoint: its labelled rows and its classifier. */
async function openSsganRun(name: string, opts: SelftrainOptions): Promise<{ run: SsganRun; ref: CheckpointRef }> {
  const ref = resolveCheckpoint(name, opts.outDir, '--ssgan-runs');
  const path = join(ref.runDir, LABELLED_JSON);
  if (!existsSync(path)) {
    throw new UserError(`--ssgan-runs ${name}: ${ref.runDir} is not a semi-supervised run (no ${LABELLED_JSON})`);
  }
  const { indices } = readJson<{ indices?: unknown }>(path) ?? {};
  if (!Array.isArray(indices) || !indices.every((i) => Number.isInteger(i) && i >= 0)) {
    throw new UserError(`${path}: expected "indices", the labelled rows of the training split, as gan train writes it`);
  }
  const averaged = join(ref.dir, DISCRIMINATOR_EMA_DIR);
  const classifier = await loadModel(opts.ema && existsSync(averaged) ? averaged : join(ref.dir, DISCRIMINATOR_DIR));
  return { run: { name, labelled: Int32Array.from(indices), classifier }, ref };
}

const savedConfig = (ref: CheckpointRef): Config => {
  const parsed = parseSavedConfig(ref.state.config);
  if (!parsed.success) throw new UserError(`${ref.dir}: its saved config is not one this version reads`);
  return parsed.data;
};

export async function selftrainCommand(
  opts: SelftrainOptions,
  io: Log,
): Promise<{ jsonPath: string; record: Record<string, unknown> }> {
  // Every check on the options comes before the engine, the runs and the data are opened.
  const recipes = parseRecipes(opts.recipes);
  const runNames = parseRunList(opts.ssganRuns);
  if (opts.validationPerClass > 10) {
    throw new UserError(
      `--validation-per-class ${opts.validationPerClass}: at most 10 (a larger labelled validation set is a hidden ` +
        `label budget)`,
    );
  }
  if (opts.json !== undefined) refuseOutputInsideRun('--json', opts.json);
  const engine = await startEngine(opts.backend, undefined, io);
  const opened = await Promise.all(runNames.map((name) => openSsganRun(name, opts)));
  const ssganRuns = opened.length ? opened.map((o) => o.run) : undefined;
  const generatorRef = opts.ckpt ? resolveCheckpoint(opts.ckpt, opts.outDir) : undefined;
  const generator = generatorRef ? await loadGenerator(generatorRef, opts.ema) : undefined;
  const ssganConfig = opened.length
    ? savedConfig(opened[0]!.ref)
    : loadConfig(resolveConfigPath(opts.config, existsSync), [], io.warn).config;
  const sources: [string, DataConfig][] = [
    ...opened.map((o): [string, DataConfig] => [o.ref.runDir, checkpointData(o.ref)]),
    ...(generatorRef ? [[generatorRef.runDir, checkpointData(generatorRef)] as [string, DataConfig]] : []),
  ];
  const data = sources[0]?.[1] ?? ssganConfig.data;
  for (const [where, other] of sources) {
    if (JSON.stringify(other) !== JSON.stringify(data)) {
      throw new UserError(`${where}: trained on other data (${JSON.stringify(other)}) than ${JSON.stringify(data)}`);
    }
  }
  const train = await loadImageSet(data, 'train', io);
  const test = await loadImageSet(data, 'test', io);
  const classes = train.classes.length;
  const labels = opened.length ? ssganRuns![0]!.labelled.length : (opts.labels ?? ssganConfig.ssgan.labels);
  if (ssganRuns?.some((r) => r.labelled.length !== labels)) {
    throw new UserError('--ssgan-runs: the runs have different numbers of labels');
  }
  if (opts.labels !== undefined && opts.labels !== labels) {
    throw new UserError(`--labels ${opts.labels}: the semi-supervised runs were trained with ${labels}`);
  }
  if (labels <= 0 || labels % classes !== 0) {
    throw new UserError(`--labels ${labels}: expected a positive multiple of the ${classes} classes (class-balanced)`);
  }
  const repeats = ssganRuns?.length ?? opts.repeats ?? 3;
  const settings: SelftrainSettings = { ...opts, recipes, labels, repeats };

  const base = defaultRecipe(1);
  const budget = opts.epochs !== undefined ? plural(opts.epochs, 'epoch') : plural(opts.steps, 'update');
  io.log(
    `labelled: ${labels} training images (${labels / classes} per class) per repeat` +
      `${ssganRuns ? `, those of each semi-supervised run (${ssganRuns.map((r) => r.name).join(', ')})` : ''}; ` +
      `unlabelled: the other ${train.count - labels} training images; test: ${test.count} test images`,
  );
  io.log(
    opts.validationPerClass > 0
      ? `validation: ${opts.validationPerClass * classes} more labelled training images (${opts.validationPerClass} ` +
          'per class) choose the pseudo-label round; nothing else is chosen'
      : 'no validation set: every recipe has a fixed budget and nothing is chosen',
  );
  io.log(
    `LeNet recipes: the evaluation classifier's architecture, ${budget} each, batch ${base.batchSize}, Adam ` +
      `${base.learningRate}; shifts of ±${opts.shift} px for the -augment and pseudo-label recipes`,
  );
  if (generator) {
    const conditional = isConditional(generator.model);
    io.log(
      `generator: ${generatorRef!.dir} (${
        conditional
          ? 'conditional: it has seen the labels of every training ' +
            'image, so gan-augment and cas measure what those labels are worth'
          : 'unconditional'
      })`,
    );
  }

  const started = performance.now();
  let result;
  try {
    result = await runSelftrain(
      { train, test, generator: generator?.model, ssganRuns, ssganConfig, updates: engine.updates },
      settings,
      { log: io.log, ...(process.stdout.isTTY ? { progress: createClassifierProgress(() => {}, true) } : {}) },
    );
  } finally {
    generator?.model.dispose();
    ssganRuns?.forEach((r) => r.classifier.dispose());
  }
  for (const s of result.skipped) io.log(`skipped ${s.recipe}: ${s.reason}`);
  const summaries = summarise(result.runs);
  io.log('');
  io.log(`test accuracy on ${test.count} real test images, mean ± std over ${plural(repeats, 'repeat')}:`);
  for (const line of formatTable(summaries)) io.log(line);
  const seconds = (performance.now() - started) / 1000;
  io.log(`${result.runs.length} results in ${seconds.toFixed(1)} s`);
  const best = [...summaries].sort((a, b) => b.test_accuracy_mean - a.test_accuracy_mean)[0];
  if (best) io.log(`best: ${best.recipe} at ${pct(best.test_accuracy_mean)}`);

  const record: Record<string, unknown> = {
    dataset: data.dataset,
    engine: engine.name,
    settings: { ...settings, epochs: opts.epochs ?? null },
    generator: generatorRef ? { checkpoint: generatorRef.dir, weights: generator!.weights } : null,
    ssgan_runs: opened.map((o) => o.ref.dir),
    test_count: test.count,
    summary: summaries,
    skipped: result.skipped,
    runs: result.runs,
    seconds,
    time: new Date().toISOString(),
  };
  const jsonPath = opts.json ?? join(opts.outDir, `selftrain-${labels}.json`);
  writeFileAtomic(jsonPath, `${JSON.stringify(record, null, 2)}\n`);
  io.log(`wrote ${jsonPath}`);
  return { jsonPath, record };
}

/** `gan selftrain`'s command line. */
export function declareSelftrain(program: Command): void {
  program
    .command('selftrain')
    .description('do GANs help when labels are scarce? test accuracy of classifier recipes on the same few labels')
    .option(
      '--labels <n>',
      "labelled training images, class-balanced (default: the runs' or the config's)",
      parseIntOption('--labels', 1),
    )
    .option(
      '--recipes <list>',
      'comma list of real, real-augment, ssgan-net, pseudo-label, gan-augment, cas, ssgan, ssgan+pseudo-label ' +
        '(default: all that can run)',
    )
    .option(
      '--ssgan-runs <runs>',
      'semi-supervised runs, one per repeat (gan train --config ssgan.yaml): ssgan, ssgan+pseudo-label',
    )
    .option('--ckpt <ref>', 'a conditional generator: gan-augment, cas')
    .option(
      '-c, --config <file>',
      'semi-supervised config for ssgan-net and the dataset (when no run gives them)',
      'ssgan.yaml',
    )
    .option('--repeats <n>', 'labelled splits (seeds) without --ssgan-runs', parseIntOption('--repeats', 1, 100))
    .option('--steps <n>', 'LeNet budget: updates per classifier', parseIntOption('--steps', 1), 300)
    .option('--epochs <n>', 'LeNet budget: fixed epochs instead of --steps', parseIntOption('--epochs', 1))
    .option(
      '--shift <px>',
      'random shifts of the -augment and pseudo-label recipes',
      parseIntOption('--shift', 0, 8),
      2,
    )
    .option(
      '--threshold <p>',
      'pseudo-label: keep images classified with at least this confidence',
      parseFractionOption('--threshold'),
      0.9,
    )
    .option('--rounds <n>', 'pseudo-label rounds', parseIntOption('--rounds', 1, 100), 1)
    .option(
      '--per-class <m>',
      'generated images per class (gan-augment, cas)',
      parseIntOption('--per-class', 1, 100000),
      500,
    )
    .option(
      '--validation-per-class <v>',
      'labelled validation images per class beyond the N, to choose the pseudo-label round (0 = none; at most 10)',
      parseIntOption('--validation-per-class', 0),
      0,
    )
    .option(
      '--json <file>',
      'where to write the numbers (default: <out-dir>/selftrain-N.json)',
      parsePathOption('--json'),
    )
    .addOption(seedOption('seed of the splits, subsets, noise and classifiers', 0))
    .addOption(noEmaOption('use raw networks (the generator, the semi-supervised discriminators)'))
    .addOption(outDirOption())
    .addOption(backendOption())
    .action(async (opts) => {
      await selftrainCommand(opts, terminal);
    });
}
