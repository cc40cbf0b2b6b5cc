// The epoch loop: iterate shuffled batches, run GAN iterations, and after every epoch write a
// checkpoint, a fixed-noise sample grid and a metrics line. It stops early, with a checkpoint,
// when asked to (Ctrl-C), and without one when a loss stops being finite.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { TrainingSet } from '../data/batches.js';
import { UserError } from '../errors.js';
import { saveModel } from '../checkpoint/model-io.js';
import { saveOptimizer } from '../checkpoint/optimizer-io.js';
import { DISCRIMINATOR_DIR, GENERATOR_DIR, GENERATOR_EMA_DIR, OPTIMIZER_DIR } from '../checkpoint/generator.js';
import type { CheckpointState, RunDir } from '../checkpoint/run-dir.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { FixedGrid } from './fixed-grid.js';
import { createProgress, type ProgressDisplay } from './progress.js';
import type { GanTrainer, StepStats } from './trainer.js';

/** Where a run continues from: completed epochs, and iterations done in the next one. */
export interface LoopStart {
  epoch: number;
  iteration: number;
  partialSums?: CheckpointState['partialSums'];
}

/**
 * Extra work at the end of each epoch, before its checkpoint is written (e.g. evaluation);
 * the metrics it returns go into metrics.jsonl and the checkpoint's state.
 */
export type EpochHook = (
  epoch: number,
  generator: tf.LayersModel,
) => Promise<{ metrics: Record<string, unknown>; summary: string } | undefined>;

/** Called once an epoch's checkpoint is complete and its metrics line written. */
export type CheckpointHook = (
  epoch: number,
  checkpointDir: string,
  metrics: Record<string, unknown>,
) => Promise<void> | void;

export interface TrainLoopOptions {
  config: Config;
  runDir: RunDir;
  engineName: string;
  trainer: GanTrainer;
  data: TrainingSet;
  start: LoopStart;
  /** Set by a signal handler: finish the current iteration, checkpoint, return. */
  stop: { requested: boolean };
  afterEpoch?: EpochHook;
  afterCheckpoint?: CheckpointHook;
  progress?: ProgressDisplay;
}

export type LoopOutcome = { kind: 'finished' } | { kind: 'interrupted'; checkpoint: string };

/** A non-finite loss: training stops, the last good checkpoint stays `latest`. */
export class DivergenceError extends UserError {
  constructor(message: string) {
    super(message, 3);
  }
}

type Sums = NonNullable<CheckpointState['partialSums']>;
const zeroSums = (): Required<Sums> => ({ dLoss: 0, gLoss: 0, dReal: 0, dFake: 0, seconds: 0, stepSeconds: 0 });

function checkFinite(stats: StepStats, step: number, epoch: number): void {
  for (const [name, value] of [
    ['D loss', stats.dLoss],
    ['G loss', stats.gLoss],
  ] as const) {
    if (!Number.isFinite(value)) {
      throw new DivergenceError(
        `training diverged at step ${step} (epoch ${epoch}): ${name} is ${value}; the last good checkpoint stays latest — lower train.lr_g/lr_d or try another train.loss`,
      );
    }
  }
}

async function writeCheckpoint(
  opts: TrainLoopOptions,
  epoch: number,
  iteration: number,
  extra: Pick<CheckpointState, 'partialSums' | 'metrics'>,
): Promise<string> {
  const { trainer, config, runDir } = opts;
  const state: CheckpointState = {
    epoch,
    iteration,
    ...extra,
    step: trainer.counters.step,
    dStep: trainer.counters.dStep,
    seed: config.run.seed,
    engine: opts.engineName,
    config: config as unknown as Record<string, unknown>,
    imageShape: trainer.models.imageShape,
    savedAt: new Date().toISOString(),
  };
  // Between files the event loop turns, so a second Ctrl-C is heard even mid-checkpoint.
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  return runDir.writeCheckpoint(state, async (dir) => {
    await saveModel(trainer.models.generator, join(dir, GENERATOR_DIR));
    await turn();
    await saveModel(trainer.models.discriminator, join(dir, DISCRIMINATOR_DIR));
    await turn();
    if (trainer.ema) await saveModel(trainer.ema.model, join(dir, GENERATOR_EMA_DIR));
    const optDir = join(dir, OPTIMIZER_DIR);
    mkdirSync(optDir, { recursive: true });
    await turn();
    await saveOptimizer(trainer.gOptimizer, optDir, 'generator');
    await turn();
    await saveOptimizer(trainer.dOptimizer, optDir, 'discriminator');
  });
}

export async function trainEpochs(opts: TrainLoopOptions): Promise<LoopOutcome> {
  const { config, trainer, data, runDir } = opts;
  const { batch_size: batchSize, d_steps: dSteps, epochs } = config.train;
  const progress = opts.progress ?? createProgress();
  const grid = FixedGrid.create(config.sample.grid, trainer.models.latentDim, trainer.models.classes, config.run.seed);
  const viewGenerator = trainer.ema?.model ?? trainer.models.generator;
  const iterations = Math.floor(data.batchesPerEpoch(batchSize) / dSteps);
  try {
    for (let epoch = opts.start.epoch + 1; epoch <= epochs; epoch++) {
      const resuming = epoch === opts.start.epoch + 1 && opts.start.iteration > 0;
      const firstIteration = resuming ? opts.start.iteration : 0;
      // Checkpoints written before stepSeconds was kept lack it: the zero fills in.
      const sums: Required<Sums> =
        resuming && opts.start.partialSums ? { ...zeroSums(), ...opts.start.partialSums } : zeroSums();
      const order = data.epochOrder(config.run.seed, epoch);
      progress.startEpoch(epoch, epochs, iterations);
      const started = performance.now();
      let imagesThisSession = 0;
      for (let it = firstIteration; it < iterations; it++) {
        const batches = Array.from({ length: dSteps }, (_, k) => data.batch(order, it * dSteps + k, batchSize));
        const stepStarted = performance.now();
        const stats = await trainer.trainIteration(batches);
        // Time inside the training step alone: the rest of the epoch (batches, progress, event
        // loop turns) is the loop's overhead, reported as step_seconds vs seconds.
        sums.stepSeconds += (performance.now() - stepStarted) / 1000;
        tf.dispose(batches.flatMap((b) => [b.images, b.labels]));
        checkFinite(stats, trainer.counters.step, epoch);
        sums.dLoss += stats.dLoss;
        sums.gLoss += stats.gLoss;
        sums.dReal += stats.dReal;
        sums.dFake += stats.dFake;
        imagesThisSession += dSteps * batchSize;
        const elapsed = (performance.now() - started) / 1000;
        progress.update(it + 1, stats, imagesThisSession / elapsed);
        // On the cpu and wasm engines every await above resolves as a microtask, so the event
        // loop would never turn and signal handlers (Ctrl-C) would never run: let it turn.
        await new Promise((resolve) => setImmediate(resolve));
        if (opts.stop.requested && it + 1 < iterations) {
          progress.stop();
          sums.seconds += elapsed;
          return {
            kind: 'interrupted',
            checkpoint: await writeCheckpoint(opts, epoch - 1, it + 1, { partialSums: sums }),
          };
        }
      }
      const seconds = sums.seconds + (performance.now() - started) / 1000;
      const done = Math.max(1, iterations);
      const mean: StepStats = {
        dLoss: sums.dLoss / done,
        gLoss: sums.gLoss / done,
        dReal: sums.dReal / done,
        dFake: sums.dFake / done,
      };
      const imagesPerSecond = (iterations * dSteps * batchSize) / seconds;

      const wantSamples =
        config.train.samples_every > 0 && (epoch % config.train.samples_every === 0 || epoch === epochs);
      if (wantSamples) writeFileAtomic(runDir.samplePath(epoch), await grid.render(viewGenerator));
      const evaluated = await opts.afterEpoch?.(epoch, viewGenerator);
      const metrics = {
        epoch,
        step: trainer.counters.step,
        d_loss: mean.dLoss,
        g_loss: mean.gLoss,
        d_real: mean.dReal,
        d_fake: mean.dFake,
        seconds: Number(seconds.toFixed(3)),
        step_seconds: Number(sums.stepSeconds.toFixed(3)),
        img_per_s: Number(imagesPerSecond.toFixed(2)),
        ...evaluated?.metrics,
        time: new Date().toISOString(),
      };
      // The checkpoint carries its epoch's metrics line, so a resume can restore a line that a
      // crash between the two writes lost (see RunDir.repairMetrics).
      const ckptDir = await writeCheckpoint(opts, epoch, 0, { metrics });
      runDir.appendMetrics(metrics);
      await opts.afterCheckpoint?.(epoch, ckptDir, metrics);
      const extraText = evaluated ? `  ${evaluated.summary}` : '';
      progress.endEpoch(
        { ...mean, epoch, epochs, seconds, imagesPerSecond },
        `${extraText}  -> ${ckptDir}${wantSamples ? `, ${runDir.samplePath(epoch)}` : ''}`,
      );
      if (opts.stop.requested && epoch < epochs) return { kind: 'interrupted', checkpoint: ckptDir };
    }
    return { kind: 'finished' };
  } finally {
    progress.stop();
    grid.dispose();
  }
}
