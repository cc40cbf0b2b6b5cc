// `gan train`: config → run session (locked; fresh, resumed or forced) → engine → data → networks
// → training mode (GAN or semi-supervised) → epoch loop → where things are. Every check runs
// before the run directory changes, and Ctrl-C ends with a checkpoint.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RunDir } from '../checkpoint/run-dir.js';
import { RunSession } from '../checkpoint/run-session.js';
import { FRESH_START, restoreTrainingState } from '../checkpoint/training-state.js';
import { loadConfig, resolveConfigPath, type Config } from '../config.js';
import { loadNativeSummaries } from '../engine/index.js';
import { createEvaluator, type Evaluator } from '../eval/evaluator.js';
import { evalMetrics, evalSummaryLine } from '../eval/presentation.js';
import { stdoutFallsBack, type Log } from '../log.js';
import { buildModels, workloadOf } from '../models/index.js';
import { publishEpochs } from '../report/publish.js';
import { describeRun } from '../train/describe-run.js';
import { trainEpochs, type EpochEvaluation } from '../train/loop.js';
import { prepareTraining } from '../train/modes.js';
import type { EpochMeasurement } from '../train/prepared.js';
import { loadTrainingImages } from '../train/training-images.js';
import { startEngine } from './setup.js';
import type { Command } from 'commander';
import { backendOption, collect, parseIntOption } from './options.js';
import { terminal } from '../log.js';

export interface TrainOptions {
  config: string;
  set: string[];
  epochs?: number;
  backend?: string;
  resume: boolean;
  force: boolean;
}

export async function trainCommand(opts: TrainOptions, io: Log): Promise<number> {
  // Where the checkpoint is must reach the user even when stdout's reader is gone.
  stdoutFallsBack();
  const config = resolveConfig(opts, io);
  const runDir = new RunDir(join(config.run.out_dir, config.run.name!));
  const session = new RunSession(runDir, config, opts, io);
  try {
    const engine = await startEngine(opts.backend, config.backend, io, workloadOf(config.model.arch));
    const images = await loadTrainingImages(config, io);
    const shape = { height: images.height, width: images.width, channels: images.channels };
    const models = buildModels(config.model, shape, config.run.seed, images.classes.length);
    const prepared = await prepareTraining(config, images, models, engine.updates, io);
    let evaluator: Evaluator | undefined;
    try {
      if (config.eval.every > 0) {
        evaluator = await createEvaluator(config, io, { trainSet: images, conditional: config.model.conditional });
      }
      const { data, trainer } = prepared;
      const resumeFrom = session.resumeFrom;
      const start = resumeFrom ? await restoreTrainingState(trainer, resumeFrom) : FRESH_START;
      session.begin(config, prepared.records(runDir.root, Boolean(resumeFrom)));
      io.log(describeRun(config, runDir, data.count, prepared.objective));
      const outcome = await trainEpochs({
        ...{ config, runDir, trainer, data, start, stop: session.stop, engineName: engine.name },
        evaluate: epochEvaluation(config, evaluator, prepared.measure),
        warn: io.warn,
        afterCheckpoint: publishEpochs(
          runDir,
          config.run.keep,
          trainer.counters,
          { engineName: engine.name, loadNative: loadNativeSummaries },
          io,
        ),
      });
      if (outcome.kind === 'interrupted') {
        io.log(`interrupted: checkpoint written to ${outcome.checkpoint}`);
        io.log(`resume with:  ${resumeCommand(opts)}`);
        return session.interruptedExitCode;
      }
      io.log(`done: sample with  gan sample --ckpt ${config.run.name} --n 64`);
      return 0;
    } finally {
      evaluator?.dispose();
      prepared.dispose();
    }
  } finally {
    session.close();
  }
}

/** The config file with --set and --epochs applied; run.name defaults to the file's name. */
function resolveConfig(opts: TrainOptions, io: Log): Config {
  const path = resolveConfigPath(opts.config, existsSync);
  const sets = [...opts.set, ...(opts.epochs !== undefined ? [`train.epochs=${opts.epochs}`] : [])];
  const { config, runName } = loadConfig(path, sets, io.warn);
  config.run.name = runName;
  return config;
}

/**
 * What is measured after an epoch: FID and the classifier score of the samples when eval.every
 * says so (on the same noise every time, so epochs compare), and the training mode's own measure.
 */
function epochEvaluation(
  config: Config,
  evaluator: Evaluator | undefined,
  measure: (() => Promise<EpochMeasurement>) | undefined,
): EpochEvaluation {
  return async (epoch, generator) => {
    const due = config.eval.every > 0 && (epoch % config.eval.every === 0 || epoch === config.train.epochs);
    const result = evaluator && due ? await evaluator.evaluate(generator, config.run.seed) : undefined;
    const measured = await measure?.();
    if (!result && !measured) return undefined;
    return {
      metrics: { ...(result ? evalMetrics(result) : {}), ...measured?.metrics },
      summary: [result && evalSummaryLine(result), measured?.summary].filter(Boolean).join('  '),
    };
  };
}

function resumeCommand(opts: TrainOptions): string {
  const epochs = opts.epochs !== undefined ? ` --epochs ${opts.epochs}` : '';
  return `gan train --config ${opts.config} --resume${epochs}${opts.set.map((s) => ` --set ${s}`).join('')}`;
}

/** `gan train`'s command line. */
export function declareTrain(program: Command): void {
  program
    .command('train')
    .description('train a GAN as a YAML config describes; writes a checkpoint and a sample grid every epoch')
    .requiredOption('-c, --config <file>', 'config file (a bare name also resolves in configs/, e.g. mnist.yaml)')
    .option('--set <key=value>', 'override a config key, e.g. --set train.epochs=5 (repeatable)', collect, [])
    .option('--epochs <n>', 'shorthand for --set train.epochs=N', parseIntOption('--epochs', 1))
    .addOption(backendOption())
    .option('--resume', 'continue the run from its latest checkpoint', false)
    .option('--force', 'delete an existing run directory of the same name and start over', false)
    .action(async (opts) => {
      process.exitCode = await trainCommand(opts, terminal);
    });
}
