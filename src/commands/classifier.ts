// `gan classifier train`: trains (or finds cached) the evaluation classifier for a config's
// dataset ahead of time, and reports its test accuracy and the real-data reference numbers.
import { existsSync } from 'node:fs';
import { refuseOutputInsideRun } from '../checkpoint/output-path.js';
import { loadConfig, parseConfig, resolveConfigPath, type Config } from '../config.js';
import { createEvaluator } from '../eval/evaluator.js';
import { terminal, type Log } from '../log.js';
import { startEngine } from './setup.js';
import type { Command } from 'commander';
import { backendOption, collect, parseIntOption, parsePathOption } from './options.js';

export interface ClassifierTrainOptions {
  config?: string;
  set: string[];
  epochs?: number;
  outDir?: string;
  backend?: string;
  force: boolean;
}

export async function classifierTrainCommand(opts: ClassifierTrainOptions, io: Log): Promise<void> {
  // The classifier is cached in <out-dir>/classifiers.
  if (opts.outDir !== undefined) refuseOutputInsideRun('--out-dir', opts.outDir);
  const config: Config = opts.config
    ? loadConfig(resolveConfigPath(opts.config, existsSync), opts.set).config
    : // No file: the defaults plus --set overrides.
      parseConfig('', '(default config)', opts.set);
  await startEngine(opts.backend, config.backend, io);
  const evaluator = await createEvaluator(config, io, {
    outDir: opts.outDir ?? config.run.out_dir,
    recipe: opts.epochs !== undefined ? { epochs: opts.epochs } : {},
    force: opts.force,
  });
  try {
    const { info, dir, trained } = evaluator.classifier;
    const ref = evaluator.reference;
    io.log(`${trained ? 'trained' : 'cached'}: ${dir}`);
    io.log(
      `test accuracy ${(100 * info.testAccuracy).toFixed(2)}% on ${info.testCount} test images; trained on ` +
        `${info.trainCount} images, ${info.recipe.epochs} epochs, ${info.trainSeconds.toFixed(1)} s on ${info.engine}`,
    );
    io.log(
      `real test classifier score ${ref.score.toFixed(3)} (max ${info.classes.length}); FID floor ` +
        `${ref.fidFloor.toFixed(3)} (${ref.floorCount} real train vs ${ref.testCount} real test)`,
    );
  } finally {
    evaluator.dispose();
  }
}

/** `gan classifier`'s command line. */
export function declareClassifier(program: Command): void {
  program
    .command('classifier')
    .description('the evaluation classifier used by gan eval')
    .command('train')
    .description("train (or find cached) the evaluation classifier for a config's dataset; prints its test accuracy")
    .option('-c, --config <file>', 'config whose data section names the dataset (default: the default config)')
    .option('--set <key=value>', 'override a config key, e.g. --set data.source=bundled (repeatable)', collect, [])
    .option('--epochs <n>', 'classifier training epochs', parseIntOption('--epochs', 1))
    .option(
      '--out-dir <dir>',
      "classifiers are cached in <dir>/classifiers (default: the config's run.out_dir)",
      parsePathOption('--out-dir'),
    )
    .option('--force', 'retrain even if a matching classifier is cached', false)
    .addOption(backendOption())
    .action(async (opts) => classifierTrainCommand(opts, terminal));
}
