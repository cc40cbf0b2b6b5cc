// `gan train`: config → run directory (locked) → engine → data → trainer (fresh or restored) →
// epoch loop → where things are. Fresh/resume/force rules never clobber a finished run by
// accident, and Ctrl-C ends with a checkpoint.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { RunLock } from '../checkpoint/lock.js';
import { RunDir, type CheckpointRef } from '../checkpoint/run-dir.js';
import { FRESH_START, restoreTrainingState, resumePoint } from '../checkpoint/training-state.js';
import { loadConfig, resolveConfigPath, type Config } from '../config.js';
import { TrainingSet } from '../data/batches.js';
import { loadImageSet, type ImageSet } from '../data/index.js';
import { UserError } from '../errors.js';
import { createEvaluator, type Evaluator } from '../eval/evaluator.js';
import { evalMetrics, evalSummaryLine } from '../eval/format.js';
import { plural } from '../format.js';
import { writeFileAtomic } from '../fs-atomic.js';
import type { Log } from '../log.js';
import { buildModels } from '../models/index.js';
import { createScalarLogger } from '../report/tensorboard.js';
import { writeReport } from '../report/write.js';
import { iterationsPerEpoch, trainEpochs, type CheckpointHook, type EpochEvaluation } from '../train/loop.js';
import { createTrainer } from '../train/trainer.js';
import { startEngine } from './setup.js';

export interface TrainOptions {
  config: string;
  set: string[];
  epochs?: number;
  backend?: string;
  resume: boolean;
  force: boolean;
}

export async function trainCommand(opts: TrainOptions, io: Log): Promise<number> {
  const config = resolveConfig(opts);
  const runDir = new RunDir(join(config.run.out_dir, config.run.name!));
  const lock = RunLock.acquire(runDir.root, io.warn);
  const signals = installStopHandlers(io);
  try {
    const resumeFrom = opts.resume ? resumePoint(runDir, config) : checkNewRun(runDir, opts.force);
    const engine = await startEngine(opts.backend, config.backend, io);
    const images = await loadTrainingImages(config, io);
    const shape = { height: images.height, width: images.width, channels: 1 };
    const models = buildModels(config.model, shape, config.run.seed, images.classes.length);
    const trainer = createTrainer(config, models, engine.updates);
    const data = new TrainingSet(images);
    const evaluator = config.eval.every > 0 ? await createEvaluator(config, io, { trainSet: images }) : undefined;
    try {
      const start = resumeFrom ? await restoreTrainingState(trainer, runDir, resumeFrom, config.run.keep) : FRESH_START;
      if (!resumeFrom && opts.force) clearPreviousRun(runDir, io);
      runDir.prepare();
      writeFileAtomic(runDir.configPath, stringify(config));
      if (resumeFrom) io.log(`resuming ${runDir.root} from ${resumeFrom.dir} (${position(resumeFrom)})`);
      io.log(describeRun(config, runDir, data.count));
      signals.stop.training = true;
      const outcome = await trainEpochs({
        ...{ config, runDir, trainer, data, start, stop: signals.stop, engineName: engine.name },
        evaluate: evaluator && evaluateWhenDue(config, evaluator),
        afterCheckpoint: publishEpoch(config, runDir, trainer.counters, engine.name, io),
      });
      if (outcome.kind === 'interrupted') {
        io.log(`interrupted: checkpoint written to ${outcome.checkpoint}`);
        io.log(`resume with:  ${resumeCommand(opts)}`);
        return signals.stop.signal === 'SIGTERM' ? 143 : 130;
      }
      io.log(`done: sample with  gan sample --ckpt ${config.run.name} --n 64`);
      return 0;
    } finally {
      evaluator?.dispose();
      data.dispose();
      trainer.dispose();
    }
  } finally {
    signals.remove();
    lock.release();
  }
}

/** The config file with --set and --epochs applied; run.name defaults to the file's name. */
function resolveConfig(opts: TrainOptions): Config {
  if (opts.resume && opts.force) {
    throw new UserError('--resume and --force: choose one (continue the run, or delete it and start over)');
  }
  const path = resolveConfigPath(opts.config, existsSync);
  const sets = [...opts.set, ...(opts.epochs !== undefined ? [`train.epochs=${opts.epochs}`] : [])];
  const { config, runName } = loadConfig(path, sets);
  config.run.name = runName;
  return config;
}

/** A run directory that already holds a run is continued or replaced only when asked to. */
function checkNewRun(runDir: RunDir, force: boolean): undefined {
  if (runDir.exists() && !force) {
    throw new UserError(
      `${runDir.root}: run directory already exists; continue it with --resume, start over with --force, ` +
        'or pick another name with --set run.name=NEW',
    );
  }
  return undefined;
}

/** `--force`, once everything could be built (a failure before it loses nothing). */
function clearPreviousRun(runDir: RunDir, io: Log): void {
  if (!runDir.exists()) return;
  io.warn(`--force: removing the previous run in ${runDir.root}`);
  runDir.clear();
}

async function loadTrainingImages(config: Config, io: Log): Promise<ImageSet> {
  const images = await loadImageSet(config.data, 'train', io);
  if (iterationsPerEpoch(images.count, config.train) < 1) {
    const { batch_size: batch, d_steps: dSteps } = config.train;
    throw new UserError(
      `train.batch_size: ${batch} × d_steps ${dSteps} needs ${batch * dSteps} images per iteration, but the ` +
        `dataset has ${images.count} (${images.origin})`,
    );
  }
  io.log(`data: ${images.origin}`);
  return images;
}

function describeRun(config: Config, runDir: RunDir, imageCount: number): string {
  const { model, train } = config;
  const conditional = model.conditional ? ` (conditional, ${model.conditioning})` : '';
  const iterations = iterationsPerEpoch(imageCount, train);
  return (
    `run: ${runDir.root} — ${model.arch}${conditional}, ${train.loss} loss, ${plural(train.epochs, 'epoch')} ` +
    `of ${iterations} iterations (batch ${train.batch_size})`
  );
}

function position(ref: CheckpointRef): string {
  return `epoch ${ref.state.epoch + 1}, iteration ${ref.state.iteration ?? 0}, step ${ref.state.step}`;
}

/**
 * Every eval.every epochs (and after the last), FID and score of the generator samples are
 * judged by. The same seed each time: epochs are compared on the same noise.
 */
function evaluateWhenDue(config: Config, evaluator: Evaluator): EpochEvaluation {
  return async (epoch, generator) => {
    if (epoch % config.eval.every !== 0 && epoch !== config.train.epochs) return undefined;
    const result = await evaluator.evaluate(generator, config.run.seed);
    return { metrics: evalMetrics(result), summary: evalSummaryLine(result) };
  };
}

/**
 * After each complete checkpoint: `best` moves to it when its FID is the lowest so far, old
 * checkpoints beyond run.keep go, and the HTML report and TensorBoard scalars see the epoch.
 */
function publishEpoch(
  config: Config,
  runDir: RunDir,
  counters: { step: number },
  engineName: string,
  io: Log,
): CheckpointHook {
  const scalars = createScalarLogger(engineName, runDir.root, io.log);
  return (epoch, dir, metrics) => {
    if (typeof metrics.fid === 'number') runDir.offerBest(epoch, dir, metrics.fid);
    runDir.prune(config.run.keep);
    for (const [name, value] of Object.entries(metrics)) {
      if (typeof value === 'number' && name !== 'epoch' && name !== 'step') scalars.scalar(name, value, counters.step);
    }
    scalars.flush();
    writeReport(runDir.root);
  };
}

function resumeCommand(opts: TrainOptions): string {
  const epochs = opts.epochs !== undefined ? ` --epochs ${opts.epochs}` : '';
  return `gan train --config ${opts.config} --resume${epochs}${opts.set.map((s) => ` --set ${s}`).join('')}`;
}

interface StopRequest {
  /** Set once the epoch loop runs: before that a signal quits at once (nothing is written yet). */
  training: boolean;
  requested: boolean;
  signal?: NodeJS.Signals;
}

/**
 * Ctrl-C / SIGTERM: during training the first asks the loop to stop after the current
 * iteration and write a checkpoint; a second quits at once (every file is written atomically,
 * so nothing is left half-written; the last complete checkpoint stays `latest`). Quitting
 * releases the run lock (an exit handler).
 */
function installStopHandlers(io: Log): { stop: StopRequest; remove: () => void } {
  const stop: StopRequest = { training: false, requested: false };
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.training || stop.requested) {
      io.warn(`${signal}${stop.requested ? ' again' : ''}: quitting now; the last complete checkpoint stays latest`);
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
    stop.requested = true;
    stop.signal = signal;
    io.warn(`${signal}: stopping after this step and writing a checkpoint (press Ctrl-C again to quit at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    remove: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
    stop,
  };
}
