// `gan train`: config -> engine -> data -> models -> epoch loop, with fresh/resume/force rules
// that never clobber a finished run by accident, and Ctrl-C that ends with a checkpoint.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { configSchema, loadConfig, resolveConfigPath, type Config } from '../config.js';
import { loadImageSet } from '../data/index.js';
import { TrainingSet } from '../data/batches.js';
import { UserError } from '../errors.js';
import { buildModels, type GanModels } from '../models/index.js';
import { loadModel } from '../checkpoint/model-io.js';
import { loadOptimizer } from '../checkpoint/optimizer-io.js';
import { DISCRIMINATOR_DIR, GENERATOR_DIR, GENERATOR_EMA_DIR, OPTIMIZER_DIR } from '../checkpoint/generator.js';
import { RunDir, type CheckpointRef } from '../checkpoint/run-dir.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { createScalarLogger } from '../report/tensorboard.js';
import { writeReport } from '../report/write.js';
import { GeneratorEma } from '../train/ema.js';
import { trainEpochs, type EpochHook, type LoopStart } from '../train/loop.js';
import { createEvaluator } from '../eval/evaluator.js';
import { evalMetrics, evalSummaryLine } from '../eval/format.js';
import { createTrainer, freshEma } from '../train/create-trainer.js';
import { startEngine } from './engine.js';
import { classCount, latentDimOf } from '../sampling.js';
import { plural } from '../format.js';

export interface TrainOptions {
  config: string;
  set: string[];
  epochs?: number;
  backend?: string;
  resume: boolean;
  force: boolean;
}

export interface CommandIO {
  log: (line: string) => void;
  warn: (line: string) => void;
}

/** Config keys whose change makes a saved run's checkpoint meaningless to continue. */
const RESUME_BREAKING = [
  'model',
  'data.dataset',
  'data.limit',
  'data.source',
  'run.seed',
  'train.batch_size',
  'train.d_steps',
  'train.loss',
];

function valueAt(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/**
 * The checkpoint's config with today's defaults filled in: a key added since it was saved
 * (e.g. model.conditioning) then compares equal to its default instead of "changed".
 */
function savedConfig(ref: CheckpointRef): unknown {
  const parsed = configSchema.safeParse(ref.state.config);
  return parsed.success ? parsed.data : ref.state.config;
}

function checkResumable(config: Config, ref: CheckpointRef): void {
  const saved = savedConfig(ref);
  const changed = RESUME_BREAKING.filter(
    (key) => JSON.stringify(valueAt(config, key)) !== JSON.stringify(valueAt(saved, key)),
  );
  if (changed.length > 0) {
    throw new UserError(
      `--resume: ${changed.join(', ')} changed since ${ref.dir} was saved (${changed
        .map((k) => `${k}: ${JSON.stringify(valueAt(saved, k))} -> ${JSON.stringify(valueAt(config, k))}`)
        .join('; ')}); start a new run with --set run.name=NEW instead`,
    );
  }
}

async function restoreModels(ref: CheckpointRef): Promise<GanModels> {
  const generator = await loadModel(join(ref.dir, GENERATOR_DIR));
  const discriminator = await loadModel(join(ref.dir, DISCRIMINATOR_DIR));
  const latentDim = latentDimOf(generator);
  return {
    generator,
    discriminator,
    latentDim,
    imageShape: ref.state.imageShape,
    classes: classCount(generator),
    auxClassifier: discriminator.outputs.length > 1,
  };
}

/** The EMA generator: restored from the checkpoint when it has one, else started at G. */
async function createEma(
  config: Config,
  models: GanModels,
  ref: CheckpointRef | undefined,
): Promise<GeneratorEma | undefined> {
  if (config.train.ema <= 0) return undefined;
  const emaDir = ref ? join(ref.dir, GENERATOR_EMA_DIR) : undefined;
  if (emaDir && existsSync(emaDir))
    return new GeneratorEma(await loadModel(emaDir), models.generator, config.train.ema);
  return freshEma(config, models);
}

/**
 * Ctrl-C / SIGTERM: the first asks the loop to stop after the current iteration and write a
 * checkpoint; a second SIGINT quits at once (every file is written atomically, so nothing is
 * left half-written; the last complete checkpoint stays `latest`).
 */
function installStopHandlers(io: CommandIO): {
  stop: { requested: boolean; signal?: NodeJS.Signals };
  remove: () => void;
} {
  const stop: { requested: boolean; signal?: NodeJS.Signals } = { requested: false };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.requested) {
      io.warn(`${signal} again: quitting now; the last complete checkpoint stays latest`);
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
    stop.requested = true;
    stop.signal = signal;
    io.warn(`${signal}: stopping after this step and writing a checkpoint (press Ctrl-C again to quit at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stop,
    remove: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export async function trainCommand(opts: TrainOptions, io: CommandIO): Promise<number> {
  const path = resolveConfigPath(opts.config, existsSync);
  const sets = [...opts.set, ...(opts.epochs !== undefined ? [`train.epochs=${opts.epochs}`] : [])];
  const { config, runName } = loadConfig(path, sets);
  config.run.name = runName;
  if (opts.resume && opts.force)
    throw new UserError('--resume and --force: choose one (continue the run, or delete it and start over)');
  const engine = await startEngine(opts.backend, config.backend, io.log);

  const runDir = new RunDir(join(config.run.out_dir, runName));
  let resumeFrom: CheckpointRef | undefined;
  if (opts.resume) {
    resumeFrom = runDir.latest();
    if (!resumeFrom) throw new UserError(`--resume: ${runDir.root} has no complete checkpoint to resume from`);
    checkResumable(config, resumeFrom);
    if (resumeFrom.state.epoch >= config.train.epochs) {
      throw new UserError(
        `--resume: ${runDir.root} already finished epoch ${resumeFrom.state.epoch} of train.epochs=${config.train.epochs}; raise it with --epochs N`,
      );
    }
  } else if (runDir.exists() && !opts.force) {
    throw new UserError(
      `${runDir.root}: run directory already exists; continue it with --resume, start over with --force, or pick another name with --set run.name=NEW`,
    );
  }

  const imageSet = await loadImageSet(config.data, 'train', io);
  const perIteration = config.train.batch_size * config.train.d_steps;
  if (perIteration > imageSet.count) {
    throw new UserError(
      `train.batch_size: ${config.train.batch_size} × d_steps ${config.train.d_steps} needs ${perIteration} images per iteration, but the dataset has ${imageSet.count} (${imageSet.origin})`,
    );
  }
  io.log(`data: ${imageSet.origin}`);
  const classes = imageSet.classes.length;
  const imageShape = { height: imageSet.height, width: imageSet.width, channels: 1 };
  if (
    resumeFrom &&
    (resumeFrom.state.imageShape.height !== imageShape.height || resumeFrom.state.imageShape.width !== imageShape.width)
  ) {
    throw new UserError(
      `--resume: ${resumeFrom.dir} was trained on ${resumeFrom.state.imageShape.height}x${resumeFrom.state.imageShape.width} images, the data now has ${imageShape.height}x${imageShape.width}`,
    );
  }
  // Build (or load) everything before touching the run directory, so a failure here loses nothing.
  const models = resumeFrom
    ? await restoreModels(resumeFrom)
    : buildModels(config.model, imageShape, config.run.seed, classes);
  const trainer = createTrainer(config, models, {
    counters: resumeFrom ? { step: resumeFrom.state.step, dStep: resumeFrom.state.dStep } : undefined,
    ema: await createEma(config, models, resumeFrom),
  });
  if (resumeFrom) {
    await loadOptimizer(trainer.gOptimizer, join(resumeFrom.dir, OPTIMIZER_DIR), 'generator');
    await loadOptimizer(trainer.dOptimizer, join(resumeFrom.dir, OPTIMIZER_DIR), 'discriminator');
  }
  const data = new TrainingSet(imageSet);
  const evaluator = config.eval.every > 0 ? await createEvaluator(config, io, { trainSet: imageSet }) : undefined;

  if (!opts.resume && opts.force && runDir.exists()) {
    io.warn(`--force: removing the previous run in ${runDir.root}`);
    runDir.clear();
  }
  runDir.prepare();
  writeFileAtomic(runDir.configPath, stringify(config));
  if (resumeFrom) {
    runDir.repairMetrics(resumeFrom);
    // A run killed between publishing a checkpoint and pruning left one extra behind; without
    // this, kills at that moment in successive runs would let extras pile up.
    runDir.prune(config.run.keep);
  }
  const start: LoopStart = resumeFrom
    ? {
        epoch: resumeFrom.state.epoch,
        iteration: resumeFrom.state.iteration ?? 0,
        partialSums: resumeFrom.state.partialSums,
      }
    : { epoch: 0, iteration: 0 };
  if (resumeFrom)
    io.log(
      `resuming ${runDir.root} from ${resumeFrom.dir} (epoch ${start.epoch + 1}, iteration ${start.iteration}, step ${resumeFrom.state.step})`,
    );
  const iterations = Math.floor(data.batchesPerEpoch(config.train.batch_size) / config.train.d_steps);
  io.log(
    `run: ${runDir.root} — ${config.model.arch}${config.model.conditional ? ` (conditional, ${config.model.conditioning})` : ''}, ${config.train.loss} loss, ${plural(config.train.epochs, 'epoch')} of ${iterations} iterations (batch ${config.train.batch_size})`,
  );

  const handlers = installStopHandlers(io);
  const scalars = createScalarLogger(engine.name, runDir.root, io.log);
  // Every eval.every epochs (and after the last), FID and score of the generator samples are
  // judged by. The same seed each time: epochs are compared on the same noise.
  const afterEpoch: EpochHook = async (epoch, generator) => {
    if (!evaluator || (epoch % config.eval.every !== 0 && epoch !== config.train.epochs)) return undefined;
    const result = await evaluator.evaluate(generator, config.run.seed);
    return { metrics: evalMetrics(result), summary: evalSummaryLine(result) };
  };
  // After each complete checkpoint: `best` moves to it when its FID is the lowest so far, and
  // the HTML report and TensorBoard scalars see the new epoch.
  const afterCheckpoint = (epoch: number, dir: string, metrics: Record<string, unknown>) => {
    if (typeof metrics.fid === 'number') runDir.offerBest(epoch, dir, metrics.fid);
    runDir.prune(config.run.keep);
    for (const [name, value] of Object.entries(metrics)) {
      if (typeof value === 'number' && name !== 'epoch' && name !== 'step')
        scalars.scalar(name, value, trainer.counters.step);
    }
    scalars.flush();
    writeReport(runDir.root);
  };
  try {
    const outcome = await trainEpochs({
      config,
      runDir,
      engineName: engine.name,
      trainer,
      data,
      start,
      stop: handlers.stop,
      afterEpoch,
      afterCheckpoint,
    });
    if (outcome.kind === 'interrupted') {
      io.log(`interrupted: checkpoint written to ${outcome.checkpoint}`);
      io.log(
        `resume with:  gan train --config ${opts.config} --resume${opts.epochs !== undefined ? ` --epochs ${opts.epochs}` : ''}${opts.set.map((s) => ` --set ${s}`).join('')}`,
      );
      return handlers.stop.signal === 'SIGTERM' ? 143 : 130;
    }
  } finally {
    evaluator?.dispose();
    handlers.remove();
    data.dispose();
    trainer.dispose();
  }
  io.log(`done: sample with  gan sample --ckpt ${runName} --n 64`);
  return 0;
}
