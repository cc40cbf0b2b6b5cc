// `gan eval`: FID, classifier score, class coverage (and conditional accuracy) of a checkpoint's
// generator against the real images of the dataset it was trained on, with the real-data floor
// and ceiling beside each number; writes the numbers as JSON.
import { join } from 'node:path';
import { configSchema, type DataConfig } from '../config.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { loadGenerator } from '../checkpoint/generator.js';
import { resolveCheckpoint, STATE_JSON, type CheckpointRef } from '../checkpoint/run-dir.js';
import { createEvaluator, type EvalResult } from '../eval/evaluator.js';
import { evalMetrics, formatEvalTable } from '../eval/format.js';
import { startEngine } from './engine.js';
import type { CommandIO } from './train.js';
import { pct, plural } from '../format.js';

/** Below this test accuracy the classifier's verdicts are too noisy to trust, and we say so. */
const WEAK_CLASSIFIER = 0.9;

export interface EvalOptions {
  ckpt: string;
  n: number;
  json?: string;
  ema: boolean;
  seed: number;
  outDir: string;
  backend?: string;
  /** Epochs for the evaluation classifier when it has to be trained (default: the recipe's). */
  classifierEpochs?: number;
}

export interface EvalReport {
  result: EvalResult;
  jsonPath: string;
  record: Record<string, unknown>;
}

/** The data section the checkpoint was trained with, with defaults filled in. */
export function checkpointData(ref: CheckpointRef): DataConfig {
  const parsed = configSchema.shape.data.safeParse(ref.state.config?.data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(
      `${join(ref.dir, STATE_JSON)}: config.data.${issue.path.join('.')}: ${issue.message} (cannot tell which dataset to evaluate against)`,
    );
  }
  return parsed.data;
}

export function defaultEvalJson(ref: CheckpointRef): string {
  return join(ref.runDir, `eval-epoch${String(ref.state.epoch).padStart(4, '0')}.json`);
}

export async function evalCommand(opts: EvalOptions, io: CommandIO): Promise<EvalReport> {
  const ref = resolveCheckpoint(opts.ckpt, opts.outDir);
  const data = checkpointData(ref);
  const engine = await startEngine(opts.backend, undefined, io.log);
  const evaluator = await createEvaluator(
    { data, run: { out_dir: opts.outDir, seed: opts.seed }, eval: { n: opts.n } },
    io,
    { recipe: opts.classifierEpochs !== undefined ? { epochs: opts.classifierEpochs } : {} },
  );
  try {
    const { info, dir, trained } = evaluator.classifier;
    io.log(
      `classifier: ${dir} (${trained ? 'trained now' : 'cached'}; test accuracy ${(100 * info.testAccuracy).toFixed(2)}% on ${info.testCount} images, ${plural(info.recipe.epochs, 'epoch')} on ${info.engine})`,
    );
    if (info.testAccuracy < WEAK_CLASSIFIER) {
      io.warn(
        `the evaluation classifier is right on only ${pct(info.testAccuracy)} of the test images, so its features and scores say little; train it on more data or epochs (gan classifier train)`,
      );
    }
    const generator = await loadGenerator(ref, opts.ema);
    let result: EvalResult;
    try {
      io.log(`evaluating ${ref.dir} (${generator.weights} weights), n = ${opts.n}, seed ${opts.seed}`);
      result = await evaluator.evaluate(generator.model, opts.seed);
    } finally {
      generator.model.dispose();
    }
    for (const line of formatEvalTable(result, evaluator)) io.log(line);
    const record = {
      checkpoint: ref.dir,
      epoch: ref.state.epoch,
      weights: generator.weights,
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
    const jsonPath = opts.json ?? defaultEvalJson(ref);
    writeFileAtomic(jsonPath, `${JSON.stringify(record, null, 2)}\n`);
    io.log(`wrote ${jsonPath}`);
    return { result, jsonPath, record };
  } finally {
    evaluator.dispose();
  }
}
