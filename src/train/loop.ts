// The epoch loop, top to bottom: epochs → iterations → one GAN iteration each, then the end of
// the epoch (sample grid, evaluation, checkpoint, metrics line). It stops early with a
// checkpoint when asked to (Ctrl-C), and without one when a loss stops being finite.
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config.js';
import type { RunDir } from '../checkpoint/run-dir.js';
import { saveTrainingState, type LoopPosition } from '../checkpoint/training-state.js';
import type { TrainingSet } from '../data/batches.js';
import { EnvironmentError, environmentProblem, UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { terminal } from '../log.js';
import { EpochStats } from './epoch-stats.js';
import { FixedGrid } from './fixed-grid.js';
import { createProgress, type ProgressDisplay } from './progress.js';
import { iterationsPerEpoch } from './run-length.js';
import type { StepStats, Trainer } from './trainer.js';

/** Evaluation at the end of an epoch (it decides whether one is due): metrics for the line, and a summary. */
export type EpochEvaluation = (
  epoch: number,
  generator: tf.LayersModel,
) => Promise<{ metrics: Record<string, unknown>; summary: string } | undefined>;

/** Called once an epoch's checkpoint is complete and its metrics line written. */
export type CheckpointHook = (
  epoch: number,
  checkpointDir: string,
  metrics: Record<string, unknown>,
) => Promise<void> | void;

export interface TrainingRun {
  config: Config;
  runDir: RunDir;
  engineName: string;
  trainer: Trainer;
  data: TrainingSet;
  start: LoopPosition;
  /** Set by a signal handler: finish the current iteration, checkpoint, return. */
  stop: { requested: boolean };
  evaluate?: EpochEvaluation;
  afterCheckpoint?: CheckpointHook;
  progress?: ProgressDisplay;
  /** Where a failed evaluation is reported (default: the terminal's stderr). */
  warn?: (line: string) => void;
}

export type LoopOutcome = { kind: 'finished' } | { kind: 'interrupted'; checkpoint: string };

/** A non-finite loss: training stops, the last good checkpoint stays `latest`. */
export class DivergenceError extends UserError {
  constructor(message: string) {
    super(message, 3);
  }
}

export async function trainEpochs(run: TrainingRun): Promise<LoopOutcome> {
  const { config, trainer, data, start, stop } = run;
  const epochs = config.train.epochs;
  const iterations = iterationsPerEpoch(data.count, config.train);
  const progress = run.progress ?? createProgress();
  const grid = FixedGrid.create(config.sample.grid, trainer.models.latentDim, trainer.models.classes, config.run.seed);
  // The run's ETA: the epochs left at this process's mean pace (evaluation and checkpoints included).
  const started = { at: performance.now(), iterations: 0 };
  const pace = (epoch: number) =>
    ((performance.now() - started.at) / 1000 / Math.max(1, started.iterations)) * (epochs - epoch) * iterations;
  try {
    for (let epoch = start.epoch + 1; epoch <= epochs; epoch++) {
      const resuming = epoch === start.epoch + 1 && start.iteration > 0;
      const stats = new EpochStats(resuming ? start.partialSums : undefined);
      const order = data.epochOrder(config.run.seed, epoch);
      progress.startEpoch(epoch, epochs, iterations);
      for (let it = resuming ? start.iteration : 0; it < iterations; it++) {
        const step = await trainIteration(run, order, it);
        started.iterations += 1;
        checkFinite(step.stats, trainer.counters.step, epoch);
        stats.add(step.stats, step.seconds, config.train.d_steps * config.train.batch_size);
        progress.update(it + 1, step.stats, stats.imagesPerSecond());
        // On the cpu and wasm engines every await above resolves as a microtask, so the event
        // loop would never turn and signal handlers (Ctrl-C) would never run: let it turn.
        await new Promise((resolve) => setImmediate(resolve));
        if (stop.requested && it + 1 < iterations) {
          progress.stop();
          const at = { epoch: epoch - 1, iteration: it + 1, partialSums: stats.partialSums() };
          return { kind: 'interrupted', checkpoint: await keepingLatest(run, () => checkpoint(run, at)) };
        }
      }
      const checkpointDir = await keepingLatest(run, () =>
        endOfEpoch(run, epoch, stats, iterations, grid, progress, pace),
      );
      if (stop.requested && epoch < epochs) return { kind: 'interrupted', checkpoint: checkpointDir };
    }
    return { kind: 'finished' };
  } finally {
    progress.stop();
    grid.dispose();
  }
}

/** Iteration `it` of an epoch: its d_steps real batches through the trainer, timed. */
async function trainIteration(
  run: TrainingRun,
  order: Int32Array,
  it: number,
): Promise<{ stats: StepStats; seconds: number }> {
  const { batch_size: batchSize, d_steps: dSteps } = run.config.train;
  const batches = Array.from({ length: dSteps }, (_, k) => run.data.batch(order, it * dSteps + k, batchSize));
  const started = performance.now();
  try {
    const stats = await run.trainer.trainIteration(batches);
    return { stats, seconds: (performance.now() - started) / 1000 };
  } finally {
    tf.dispose(batches.flatMap((b) => [b.images, b.labels]));
  }
}

function checkFinite(stats: StepStats, step: number, epoch: number): void {
  for (const [name, value] of [
    ['D loss', stats.dLoss],
    ['G loss', stats.gLoss],
  ] as const) {
    if (!Number.isFinite(value)) {
      throw new DivergenceError(
        `training diverged at step ${step} (epoch ${epoch}): ${name} is ${value}; the last good checkpoint ` +
          'stays latest — lower train.lr_g/lr_d or try another train.loss',
      );
    }
  }
}

/** The fixed-noise grid, the evaluation when due, the checkpoint and the metrics line. */
async function endOfEpoch(
  run: TrainingRun,
  epoch: number,
  stats: EpochStats,
  iterations: number,
  grid: FixedGrid,
  progress: ProgressDisplay,
  remaining: (epoch: number) => number,
): Promise<string> {
  const { config, trainer, runDir } = run;
  const summary = stats.summary(iterations, config.train.d_steps * config.train.batch_size);
  const viewGenerator = trainer.ema?.model ?? trainer.models.generator;
  const every = config.train.samples_every;
  const wantSamples = every > 0 && (epoch % every === 0 || epoch === config.train.epochs);
  if (wantSamples) writeFileAtomic(runDir.samplePath(epoch), await grid.render(viewGenerator));
  const evaluated = await evaluateKeepingCheckpoint(run, epoch, viewGenerator);
  const metrics = {
    epoch,
    step: trainer.counters.step,
    d_loss: summary.mean.dLoss,
    g_loss: summary.mean.gLoss,
    d_real: summary.mean.dReal,
    d_fake: summary.mean.dFake,
    seconds: Number(summary.seconds.toFixed(3)),
    step_seconds: Number(summary.stepSeconds.toFixed(3)),
    img_per_s: Number(summary.imagesPerSecond.toFixed(2)),
    ...evaluated?.metrics,
    time: new Date().toISOString(),
  };
  // The checkpoint carries its epoch's metrics line, so a resume can restore a line that a
  // crash between the two writes lost (see RunDir.repairMetrics).
  const checkpointDir = await checkpoint(run, { epoch, iteration: 0, metrics });
  runDir.appendMetrics(metrics);
  await run.afterCheckpoint?.(epoch, checkpointDir, metrics);
  const extra = `${evaluated ? `  ${evaluated.summary}` : ''}  -> ${checkpointDir}`;
  progress.endEpoch(
    {
      ...summary.mean,
      epoch,
      epochs: config.train.epochs,
      seconds: summary.seconds,
      imagesPerSecond: summary.imagesPerSecond,
      remainingSeconds: remaining(epoch),
    },
    `${extra}${wantSamples ? `, ${runDir.samplePath(epoch)}` : ''}`,
  );
  return checkpointDir;
}

/**
 * The epoch's evaluation, when one is due. One that fails, for whatever reason, is reported
 * and recorded in the metrics line, and the epoch's checkpoint is written all the same: an
 * evaluation is an extra, the checkpoint is the run.
 */
async function evaluateKeepingCheckpoint(
  run: TrainingRun,
  epoch: number,
  generator: tf.LayersModel,
): ReturnType<EpochEvaluation> {
  try {
    return await run.evaluate?.(epoch, generator);
  } catch (err) {
    const reason = (err as Error)?.message?.split('\n')[0] ?? String(err);
    (run.warn ?? terminal.warn)(
      `the evaluation after epoch ${epoch} failed (${reason}); the checkpoint is written without it`,
    );
    return { metrics: { eval_error: reason }, summary: 'evaluation failed' };
  }
}

function checkpoint(run: TrainingRun, at: LoopPosition & { metrics?: Record<string, unknown> }): Promise<string> {
  return saveTrainingState(run.trainer, run.runDir, at, { config: run.config, engine: run.engineName });
}

/**
 * A disk that fills up (or stops being writable) while the epoch's files are written: one
 * line saying what failed, that the last complete checkpoint is intact, and what to do.
 */
async function keepingLatest<T>(run: TrainingRun, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const env = environmentProblem(err);
    if (!env) throw err;
    const path = env.path ?? run.runDir.root;
    const latest = run.runDir.latest()?.dir;
    const intact = latest ? `the last complete checkpoint ${latest} is intact` : 'no checkpoint was complete yet';
    throw new EnvironmentError(
      `cannot write ${path}: ${env.problem}; ${intact} — ${env.remedy} and then run the same gan train ` +
        'command with --resume',
      path,
      env.problem,
      env.remedy,
    );
  }
}
