// `gan train`: config → run directory (locked) → engine → data → trainer (fresh or restored) →
// epoch loop → where things are. Fresh/resume/force rules never clobber a finished run by
// accident, and Ctrl-C ends with a checkpoint.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { RunLock } from '../checkpoint/lock.js';
import { LABELLED_JSON, RunDir, type CheckpointRef } from '../checkpoint/run-dir.js';
import { alignRunDir, FRESH_START, restoreTrainingState, resumePoint } from '../checkpoint/training-state.js';
import { loadConfig, resolveConfigPath, type Config } from '../config.js';
import { TrainingSet } from '../data/batches.js';
import { loadImageSet, type ImageSet } from '../data/index.js';
import { balancedSubset, splitLabels, validationSlice, type LabelledImages } from '../data/subsets.js';
import { loadNativeSummaries, type Engine } from '../engine/index.js';
import { UserError } from '../errors.js';
import { createEvaluator } from '../eval/evaluator.js';
import { evalMetrics, evalSummaryLine } from '../eval/presentation.js';
import { plural } from '../text.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { stdoutFallsBack, type Log } from '../log.js';
import { buildModels, workloadOf } from '../models/index.js';
import { deriveSeed, Stream } from '../random.js';
import { createScalarLogger } from '../report/tensorboard.js';
import { writeReport } from '../report/write.js';
import { trainEpochs, type CheckpointHook, type EpochEvaluation } from '../train/loop.js';
import { iterationsPerEpoch, runIterations } from '../train/run-length.js';
import { heldOutAccuracy } from '../train/held-out.js';
import { createSemiSupervisedTrainer, SemiSupervisedTrainer } from '../train/semi-supervised.js';
import { augmentPolicy, createTrainer } from '../train/trainer.js';
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
  // Where the checkpoint is must reach the user even when stdout's reader is gone.
  stdoutFallsBack();
  const config = resolveConfig(opts);
  const runDir = new RunDir(join(config.run.out_dir, config.run.name!));
  const lock = RunLock.acquire(runDir.root, io.warn);
  const signals = installStopHandlers(io);
  try {
    const resumeFrom = opts.resume ? resumePoint(runDir, config) : checkNewRun(runDir, opts.force);
    const engine = await startEngine(opts.backend, config.backend, io, workloadOf(config.model.arch));
    const { data, trainer, labelled, evaluate, dispose } = await prepareTraining(config, engine.updates, io);
    try {
      const start = resumeFrom ? await restoreTrainingState(trainer, resumeFrom) : FRESH_START;
      const labelledRecord = labelled && checkLabelled(runDir, labelled, Boolean(resumeFrom));
      // Every check has passed: from here on the run directory changes.
      if (resumeFrom) alignRunDir(runDir, resumeFrom, config.run.keep);
      else if (opts.force) clearPreviousRun(runDir, io);
      runDir.prepare();
      writeFileAtomic(runDir.configPath, stringify(config));
      if (labelledRecord) writeFileAtomic(labelledRecord.path, labelledRecord.json);
      if (resumeFrom) io.log(`resuming ${runDir.root} from ${resumeFrom.dir} (${position(resumeFrom)})`);
      io.log(describeRun(config, runDir, data.count));
      signals.stop.training = true;
      const outcome = await trainEpochs({
        ...{ config, runDir, trainer, data, start, stop: signals.stop, engineName: engine.name },
        evaluate,
        warn: io.warn,
        afterCheckpoint: publishEpoch(config, runDir, trainer.counters, engine.name, io),
      });
      if (outcome.kind === 'interrupted') {
        io.log(`interrupted: checkpoint written to ${outcome.checkpoint}`);
        io.log(`resume with:  ${resumeCommand(opts)}`);
        return SIGNAL_EXIT_CODES[signals.stop.signal ?? 'SIGINT']!;
      }
      io.log(`done: sample with  gan sample --ckpt ${config.run.name} --n 64`);
      return 0;
    } finally {
      dispose();
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
  const needsLabels = config.model.conditional ? 'model.conditional' : config.train.labels > 0 ? 'train.labels' : '';
  if (needsLabels && images.classes.length < 2) {
    const found = images.classes.length === 0 ? 'unlabelled' : `all of 1 class, ${images.classes[0]}`;
    throw new UserError(
      `${needsLabels}: needs labelled images of at least 2 classes, but the training images are ${found} ` +
        `(${images.origin}); an image folder is labelled by its class sub-folders`,
    );
  }
  io.log(`data: ${images.origin}`);
  return images;
}

function describeRun(config: Config, runDir: RunDir, imageCount: number): string {
  const { model, train } = config;
  const options = [
    model.conditional ? `conditional, ${model.conditioning}` : '',
    model.class_norm ? 'class norm' : '',
    model.minibatch_std ? 'minibatch std' : '',
  ].filter((option) => option !== '');
  const modelOptions = options.length > 0 ? ` (${options.join(', ')})` : '';
  const iterations = iterationsPerEpoch(imageCount, train);
  const objective = train.labels > 0 ? `semi-supervised with ${train.labels} labels` : `${train.loss} loss`;
  const policy = train.labels > 0 ? undefined : augmentPolicy(train, imageCount);
  const augment = policy
    ? `; augmented (p ${policy.p.toFixed(2)}${train.augment === 'auto' ? ', auto' : ''}: ±${policy.translate} px, ` +
      `cutout ${policy.cutout} px)`
    : '';
  const lazy = train.r1_every > 1 ? ` every ${train.r1_every} D updates` : '';
  const r1 = train.r1 > 0 ? `; R1 γ ${train.r1}${lazy}` : '';
  const decay =
    train.lr_decay > 0 ? `; learning rates fall to 0 over the last ${Math.round(train.lr_decay * 100)}%` : '';
  return (
    `run: ${runDir.root} — ${model.arch}${modelOptions}, ${objective}, ${plural(train.epochs, 'epoch')} ` +
    `of ${iterations} iterations (${(iterations * train.epochs).toLocaleString('en-US')} in all, batch ` +
    `${train.batch_size})${r1}${augment}${decay}`
  );
}

function position(ref: CheckpointRef): string {
  return `epoch ${ref.state.epoch + 1}, iteration ${ref.state.iteration ?? 0}, step ${ref.state.step}`;
}

/**
 * The data the trainer sees, the trainer, and what is measured at the end of each epoch. A
 * semi-supervised run (train.labels > 0) keeps the labels of N class-balanced images and trains
 * on a copy of the set without any other label.
 */
async function prepareTraining(config: Config, updates: Engine['updates'], io: Log) {
  const images = await loadTrainingImages(config, io);
  const shape = { height: images.height, width: images.width, channels: images.channels };
  const models = buildModels(config.model, shape, config.run.seed, images.classes.length);
  const semi = config.train.labels > 0 ? chooseLabelled(config, images, io) : undefined;
  const data = new TrainingSet(semi?.unlabelled ?? images);
  const totalIterations = runIterations(data.count, config.train);
  const trainer = semi
    ? createSemiSupervisedTrainer(
        config,
        models,
        { labelled: semi.labelled, unlabelled: data, totalIterations },
        updates,
      )
    : createTrainer(config, models, updates, data.count);
  const evaluator =
    config.eval.every > 0
      ? await createEvaluator(config, io, { trainSet: images, conditional: config.model.conditional })
      : undefined;
  const heldOut =
    trainer instanceof SemiSupervisedTrainer ? await heldOutAccuracy(config, trainer, io, semi?.validation) : undefined;
  const evaluate: EpochEvaluation = async (epoch, generator) => {
    const due = config.eval.every > 0 && (epoch % config.eval.every === 0 || epoch === config.train.epochs);
    // FID and score of the samples, on the same noise every time, so epochs compare.
    const result = evaluator && due ? await evaluator.evaluate(generator, config.run.seed) : undefined;
    const accuracy = await heldOut?.measure();
    if (!result && !accuracy) return undefined;
    return {
      metrics: { ...(result ? evalMetrics(result) : {}), ...accuracy?.metrics },
      summary: [result && evalSummaryLine(result), accuracy?.summary].filter(Boolean).join('  '),
    };
  };
  return {
    data,
    trainer,
    labelled: semi?.labelled,
    evaluate,
    dispose() {
      evaluator?.dispose();
      heldOut?.dispose();
      data.dispose();
      trainer.dispose();
    },
  };
}

/**
 * train.labels class-balanced images, chosen with the run seed, keep their labels; with
 * train.validation, that many other training images are the validation slice (held-out.ts).
 */
function chooseLabelled(
  config: Config,
  images: ImageSet,
  io: Log,
): { labelled: LabelledImages; unlabelled: ImageSet; validation?: ImageSet } {
  const classes = images.classes.length;
  const { labels, validation } = config.train;
  if (labels % classes !== 0) {
    throw new UserError(
      `train.labels: ${labels} is not a multiple of the ${classes} classes (the labelled set is class-balanced)`,
    );
  }
  if (validation > 0 && labels + validation > images.count) {
    throw new UserError(
      `train.validation: ${validation} with train.labels ${labels} leaves no other training image ` +
        `(the dataset has ${images.count}; ${images.origin})`,
    );
  }
  let indices: Int32Array;
  try {
    indices = balancedSubset(
      images.labels,
      classes,
      labels / classes,
      deriveSeed(config.run.seed, Stream.labelledSplit),
    );
  } catch (err) {
    throw new UserError(`train.labels: ${labels}: ${(err as Error).message} (${images.origin})`);
  }
  io.log(
    `labelled: ${labels} training images (${labels / classes} per class, chosen with run.seed); ` +
      `the other ${images.count - labels} train without their labels`,
  );
  const slice = validation > 0 ? validationSlice(images, indices, validation, config.run.seed) : undefined;
  if (slice) {
    io.log(
      `validation: ${validation} of those (chosen with run.seed) are scored after every epoch; their labels ` +
        'choose recipes and never reach the trainer',
    );
  }
  return { ...splitLabels(images, indices), validation: slice };
}

/**
 * Which images kept their labels, as labelled.json records them in the run directory so anyone
 * can check; a resumed run must find the same ones. Returns the record to write.
 */
function checkLabelled(runDir: RunDir, labelled: LabelledImages, resuming: boolean): { path: string; json: string } {
  const path = join(runDir.root, LABELLED_JSON);
  const json = JSON.stringify({
    count: labelled.count,
    indices: [...labelled.indices],
    labels: [...labelled.labels],
  });
  if (resuming && existsSync(path) && readFileSync(path, 'utf8') !== json) {
    throw new UserError(`${path}: the labelled images differ from those the run started with; start a new run instead`);
  }
  return { path, json };
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
  const scalars = createScalarLogger(engineName, runDir.root, io.log, loadNativeSummaries);
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
 * Ctrl-C / SIGTERM / SIGHUP (the terminal closed): during training the first asks the loop to
 * stop after the current iteration and write a checkpoint; a second Ctrl-C or SIGTERM quits at
 * once (every file is written atomically, so nothing is left half-written; the last complete
 * checkpoint stays `latest`). A SIGHUP never quits at once: a closing terminal often sends it
 * right after a Ctrl-C. Quitting releases the run lock (an exit handler).
 */
function installStopHandlers(io: Log): { stop: StopRequest; remove: () => void } {
  const stop: StopRequest = { training: false, requested: false };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.requested && signal === 'SIGHUP') return;
    if (!stop.training || stop.requested) {
      io.warn(`${signal}${stop.requested ? ' again' : ''}: quitting now; the last complete checkpoint stays latest`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    }
    stop.requested = true;
    stop.signal = signal;
    io.warn(`${signal}: stopping after this step and writing a checkpoint (press Ctrl-C again to quit at once)`);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return {
    remove: () => {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    },
    stop,
  };
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** 128 + the signal's number, as a shell reports a process the signal ended. */
const SIGNAL_EXIT_CODES: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
