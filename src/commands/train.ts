// `gan train`: config -> engine -> data -> models -> epoch loop, with fresh/resume/force rules
// that never clobber a finished run by accident.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig, resolveConfigPath, type Config } from '../config.js';
import { loadImageSet } from '../data/index.js';
import { TrainingSet } from '../data/batches.js';
import { UserError } from '../errors.js';
import { nonSaturatingBce } from '../losses.js';
import { buildModels, type GanModels } from '../models/index.js';
import { loadModel } from '../checkpoint/model-io.js';
import { loadOptimizer } from '../checkpoint/optimizer-io.js';
import { RunDir, type CheckpointRef } from '../checkpoint/run-dir.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { DISCRIMINATOR_DIR, GENERATOR_DIR, OPTIMIZER_DIR, trainEpochs } from '../train/loop.js';
import { GanTrainer } from '../train/trainer.js';
import { startEngine } from './engine.js';

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
const RESUME_BREAKING = ['model', 'data.dataset', 'data.limit', 'run.seed', 'train.batch_size', 'train.d_steps'];

function valueAt(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function checkResumable(config: Config, ref: CheckpointRef): void {
  const changed = RESUME_BREAKING.filter(
    (key) => JSON.stringify(valueAt(config, key)) !== JSON.stringify(valueAt(ref.state.config, key)),
  );
  if (changed.length > 0) {
    throw new UserError(
      `--resume: ${changed.join(', ')} changed since ${ref.dir} was saved (${changed
        .map((k) => `${k}: ${JSON.stringify(valueAt(ref.state.config, k))} -> ${JSON.stringify(valueAt(config, k))}`)
        .join('; ')}); start a new run with --set run.name=NEW instead`,
    );
  }
}

async function restoreModels(ref: CheckpointRef): Promise<GanModels> {
  const generator = await loadModel(join(ref.dir, GENERATOR_DIR));
  const discriminator = await loadModel(join(ref.dir, DISCRIMINATOR_DIR));
  const latentDim = generator.inputs[0]!.shape[1] as number;
  return { generator, discriminator, latentDim, imageShape: ref.state.imageShape };
}

export async function trainCommand(opts: TrainOptions, io: CommandIO): Promise<void> {
  const path = resolveConfigPath(opts.config, existsSync);
  const sets = [...opts.set, ...(opts.epochs !== undefined ? [`train.epochs=${opts.epochs}`] : [])];
  const { config, runName } = loadConfig(path, sets);
  config.run.name = runName;
  const engine = await startEngine(opts.backend, config.backend, io.log);

  const runDir = new RunDir(join(config.run.out_dir, runName));
  let resumeFrom: CheckpointRef | undefined;
  if (opts.resume) {
    resumeFrom = runDir.latest();
    if (!resumeFrom) throw new UserError(`--resume: ${runDir.root} has no complete checkpoint to resume from`);
    checkResumable(config, resumeFrom);
    if (resumeFrom.state.epoch >= config.train.epochs) {
      throw new UserError(`--resume: ${runDir.root} already finished epoch ${resumeFrom.state.epoch} of train.epochs=${config.train.epochs}; raise it with --epochs N`);
    }
  } else if (runDir.exists()) {
    if (!opts.force) {
      throw new UserError(`${runDir.root}: run directory already exists; continue it with --resume, start over with --force, or pick another name with --set run.name=NEW`);
    }
  }

  const imageSet = await loadImageSet(config.data, 'train', io);
  const perIteration = config.train.batch_size * config.train.d_steps;
  if (perIteration > imageSet.count) {
    throw new UserError(`train.batch_size: ${config.train.batch_size} × d_steps ${config.train.d_steps} needs ${perIteration} images per iteration, but the dataset has ${imageSet.count} (${imageSet.origin})`);
  }
  io.log(`data: ${imageSet.origin}`);

  if (!opts.resume && opts.force && runDir.exists()) {
    io.warn(`--force: removing the previous run in ${runDir.root}`);
    runDir.clear();
  }
  runDir.prepare();
  writeFileAtomic(runDir.configPath, stringify(config));

  const imageShape = { height: imageSet.height, width: imageSet.width, channels: 1 };
  const models = resumeFrom ? await restoreModels(resumeFrom) : buildModels(config.model, imageShape, config.run.seed);
  const trainer = new GanTrainer(
    models,
    nonSaturatingBce,
    config.train,
    config.run.seed,
    resumeFrom ? { step: resumeFrom.state.step, dStep: resumeFrom.state.dStep } : undefined,
  );
  if (resumeFrom) {
    await loadOptimizer(trainer.gOptimizer, join(resumeFrom.dir, OPTIMIZER_DIR), 'generator');
    await loadOptimizer(trainer.dOptimizer, join(resumeFrom.dir, OPTIMIZER_DIR), 'discriminator');
    io.log(`resuming ${runDir.root} after epoch ${resumeFrom.state.epoch} (step ${resumeFrom.state.step})`);
  }
  const data = new TrainingSet(imageSet);
  io.log(
    `run: ${runDir.root} — ${config.model.arch}, ${config.train.epochs} epochs of ${Math.floor(data.batchesPerEpoch(config.train.batch_size) / config.train.d_steps)} iterations (batch ${config.train.batch_size})`,
  );
  try {
    await trainEpochs({ config, runDir, engineName: engine.name, trainer, data, startEpoch: resumeFrom?.state.epoch ?? 0, log: io.log });
  } finally {
    data.dispose();
    trainer.dispose();
  }
  io.log(`done: sample with  gan sample --ckpt ${runName} --n 64`);
}
