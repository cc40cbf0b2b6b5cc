// `gan eval`: FID, classifier score, class coverage (and conditional accuracy) of a checkpoint's
// generator against the real images of the dataset it was trained on, with the real-data floor
// and ceiling beside each number; writes the numbers as JSON.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkpointData, type CheckpointRef } from '../checkpoint/run-dir.js';
import { refuseOutputInsideRun } from '../checkpoint/output-path.js';
import { fileInTheWay, UserError } from '../errors.js';
import { createEvaluator, type EvalResult } from '../eval/evaluator.js';
import { evalMetrics, formatEvalTable } from '../eval/presentation.js';
import { pct, plural } from '../text.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { terminal, type Log } from '../log.js';
import { isConditional } from '../sampling.js';
import { openGenerator, type GeneratorOptions } from './setup.js';
import type { Command } from 'commander';
import {
  backendOption,
  ckptOption,
  noEmaOption,
  outDirOption,
  parseIntOption,
  seedOption,
  truncationOption,
} from './options.js';
import { MIN_EVAL_N } from '../eval/sample-size.js';

/** Below this test accuracy the classifier's verdicts are too noisy to trust, and we say so. */
const WEAK_CLASSIFIER = 0.9;

export interface EvalOptions extends GeneratorOptions {
  n: number;
  json?: string;
  seed: number;
  /** Draw z from the normal truncated to [−ψ, ψ]. */
  truncation?: number;
  /** Epochs for the evaluation classifier when it has to be trained (default: the recipe's). */
  classifierEpochs?: number;
}

export interface EvalReport {
  result: EvalResult;
  jsonPath: string;
  record: Record<string, unknown>;
}

/**
 * `<run>/eval-epochNNNN.json`, with `-raw` for the raw generator and `-psiΨ` for truncated noise,
 * so evaluating a checkpoint another way never replaces its plain evaluation.
 */
export function defaultEvalJson(ref: CheckpointRef, weights: 'ema' | 'raw', truncation?: number): string {
  const variant = (weights === 'raw' ? '-raw' : '') + (truncation !== undefined ? `-psi${truncation}` : '');
  return join(ref.runDir, `eval-epoch${String(ref.state.epoch).padStart(4, '0')}${variant}.json`);
}

/**
 * --json is checked first: a directory, or a path under a file, would fail only after the
 * evaluation; a path inside a checkpoint or among a run's own files is never written.
 */
function checkJsonPath(path: string): void {
  if (path.trim() === '') throw new UserError('--json: expected the path of a .json file');
  if (existsSync(path) && statSync(path).isDirectory())
    throw new UserError(`--json ${path}: is a directory; expected the path of a .json file`);
  const blocker = fileInTheWay(dirname(path));
  if (blocker) throw new UserError(`--json ${path}: ${blocker} is not a directory`);
  refuseOutputInsideRun('--json', path);
}

export async function evalCommand(opts: EvalOptions, io: Log): Promise<EvalReport> {
  if (opts.json !== undefined) checkJsonPath(opts.json);
  const { ref, engine, model: generator, weights } = await openGenerator(opts, io);
  try {
    const data = checkpointData(ref);
    const evaluator = await createEvaluator(
      { data, run: { out_dir: opts.outDir, seed: opts.seed }, eval: { n: opts.n } },
      io,
      {
        recipe: opts.classifierEpochs !== undefined ? { epochs: opts.classifierEpochs } : {},
        conditional: isConditional(generator),
        nName: '--n',
      },
    );
    try {
      const { info, dir, trained } = evaluator.classifier;
      const accuracy = `test accuracy ${(100 * info.testAccuracy).toFixed(2)}% on ${info.testCount} images`;
      io.log(
        `classifier: ${dir} (${trained ? 'trained now' : 'cached'}; ${accuracy}, ` +
          `${plural(info.recipe.epochs, 'epoch')} on ${info.engine})`,
      );
      if (info.testAccuracy < WEAK_CLASSIFIER) {
        io.warn(
          `the evaluation classifier is right on only ${pct(info.testAccuracy)} of the test images, so its ` +
            'features and scores say little; train it on more data or epochs (gan classifier train)',
        );
      }
      const truncated = opts.truncation !== undefined ? `, z truncated to ±${opts.truncation}` : '';
      io.log(`evaluating ${ref.dir} (${weights} weights), n = ${opts.n}, seed ${opts.seed}${truncated}`);
      const result = await evaluator.evaluate(generator, opts.seed, opts.truncation);
      for (const line of formatEvalTable(result, evaluator)) io.log(line);
      const record = {
        checkpoint: ref.dir,
        epoch: ref.state.epoch,
        weights,
        dataset: data.dataset,
        engine: engine.name,
        ...evalMetrics(result),
        real_test_count: evaluator.reference.testCount,
        floor_count: evaluator.reference.floorCount,
        classifier: {
          dir,
          arch: info.arch,
          data_hash: info.dataHash,
          test_accuracy: info.testAccuracy,
          epochs: info.recipe.epochs,
          engine: info.engine,
          date: info.date,
        },
        time: new Date().toISOString(),
      };
      const jsonPath = opts.json ?? defaultEvalJson(ref, weights, opts.truncation);
      writeFileAtomic(jsonPath, `${JSON.stringify(record, null, 2)}\n`);
      io.log(`wrote ${jsonPath}`);
      return { result, jsonPath, record };
    } finally {
      evaluator.dispose();
    }
  } finally {
    generator.dispose();
  }
}

/** `gan eval`'s command line. */
export function declareEval(program: Command): void {
  program
    .command('eval')
    .description('FID, classifier score and class coverage of a generator against real images')
    .addOption(ckptOption())
    .option('-n, --n <count>', 'generated images to evaluate', parseIntOption('--n', MIN_EVAL_N, 100000), 10000)
    .option('--json <file>', 'where to write the numbers (default: <run>/eval-epochNNNN.json)')
    .addOption(noEmaOption('evaluate the raw generator'))
    .addOption(seedOption("seed of the noise (and of the floor's real subset)", 0))
    .addOption(truncationOption())
    .addOption(outDirOption('where runs live; classifiers are cached in <dir>/classifiers'))
    .option(
      '--classifier-epochs <n>',
      'epochs for the evaluation classifier if it must be trained',
      parseIntOption('--classifier-epochs', 1),
    )
    .addOption(backendOption())
    .action(async (opts) => {
      await evalCommand(opts, terminal);
    });
}
