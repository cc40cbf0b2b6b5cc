// The epoch loop: iterate shuffled batches, run GAN iterations, and after every epoch write a
// checkpoint, a fixed-noise sample grid and a metrics line. The fixed noise batch is drawn once
// from the run seed, so the same latent points can be watched improving epoch after epoch.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { TrainingSet } from '../data/batches.js';
import { encodeGrid } from '../image.js';
import { saveModel } from '../checkpoint/model-io.js';
import { saveOptimizer } from '../checkpoint/optimizer-io.js';
import type { CheckpointState, RunDir } from '../checkpoint/run-dir.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { deriveSeed, Stream } from '../random.js';
import { generateImages, latentNoise } from '../sampling.js';
import { createProgress, type ProgressDisplay } from './progress.js';
import type { GanTrainer, StepStats } from './trainer.js';

export interface TrainLoopOptions {
  config: Config;
  runDir: RunDir;
  engineName: string;
  trainer: GanTrainer;
  data: TrainingSet;
  /** Epochs already completed (0 for a fresh run). */
  startEpoch: number;
  progress?: ProgressDisplay;
  log: (line: string) => void;
}

/** Directory names inside an epoch checkpoint. */
export const GENERATOR_DIR = 'generator';
export const DISCRIMINATOR_DIR = 'discriminator';
export const OPTIMIZER_DIR = 'optimizers';

function meanStats(sum: StepStats, n: number): StepStats {
  return { dLoss: sum.dLoss / n, gLoss: sum.gLoss / n, dReal: sum.dReal / n, dFake: sum.dFake / n };
}

async function writeEpochCheckpoint(opts: TrainLoopOptions, epoch: number): Promise<string> {
  const { trainer, config, runDir } = opts;
  const state: CheckpointState = {
    epoch,
    step: trainer.counters.step,
    dStep: trainer.counters.dStep,
    seed: config.run.seed,
    engine: opts.engineName,
    config: config as unknown as Record<string, unknown>,
    imageShape: trainer.models.imageShape,
    savedAt: new Date().toISOString(),
  };
  return runDir.writeCheckpoint(state, async (dir) => {
    await saveModel(trainer.models.generator, join(dir, GENERATOR_DIR));
    await saveModel(trainer.models.discriminator, join(dir, DISCRIMINATOR_DIR));
    const optDir = join(dir, OPTIMIZER_DIR);
    mkdirSync(optDir, { recursive: true });
    await saveOptimizer(trainer.gOptimizer, optDir, 'generator');
    await saveOptimizer(trainer.dOptimizer, optDir, 'discriminator');
  });
}

export async function trainEpochs(opts: TrainLoopOptions): Promise<void> {
  const { config, trainer, data, runDir } = opts;
  const { batch_size: batchSize, d_steps: dSteps, epochs } = config.train;
  const progress = opts.progress ?? createProgress();
  const fixedNoise = latentNoise(config.sample.grid, trainer.models.latentDim, deriveSeed(config.run.seed, Stream.fixedNoise));
  const iterations = Math.floor(data.batchesPerEpoch(batchSize) / dSteps);
  try {
    for (let epoch = opts.startEpoch + 1; epoch <= epochs; epoch++) {
      const order = data.epochOrder(config.run.seed, epoch);
      const sum: StepStats = { dLoss: 0, gLoss: 0, dReal: 0, dFake: 0 };
      progress.startEpoch(epoch, epochs, iterations);
      const started = performance.now();
      for (let it = 0; it < iterations; it++) {
        const batches = Array.from({ length: dSteps }, (_, k) => data.batch(order, it * dSteps + k, batchSize));
        const stats = await trainer.trainIteration(batches.map((b) => b.images));
        tf.dispose(batches.flatMap((b) => [b.images, b.labels]));
        for (const key of Object.keys(sum) as (keyof StepStats)[]) sum[key] += stats[key];
        const seconds = (performance.now() - started) / 1000;
        progress.update(it + 1, stats, ((it + 1) * dSteps * batchSize) / seconds);
      }
      const seconds = (performance.now() - started) / 1000;
      const mean = meanStats(sum, Math.max(1, iterations));
      const imagesPerSecond = (iterations * dSteps * batchSize) / seconds;

      const wantSamples = config.train.samples_every > 0 && (epoch % config.train.samples_every === 0 || epoch === epochs);
      if (wantSamples) {
        writeFileAtomic(runDir.samplePath(epoch), encodeGrid(await generateImages(trainer.models.generator, fixedNoise)));
      }
      const ckptDir = await writeEpochCheckpoint(opts, epoch);
      runDir.appendMetrics({
        epoch,
        step: trainer.counters.step,
        d_loss: mean.dLoss,
        g_loss: mean.gLoss,
        d_real: mean.dReal,
        d_fake: mean.dFake,
        seconds: Number(seconds.toFixed(3)),
        img_per_s: Number(imagesPerSecond.toFixed(2)),
        time: new Date().toISOString(),
      });
      progress.endEpoch(
        { ...mean, epoch, epochs, seconds, imagesPerSecond },
        `  -> ${ckptDir}${wantSamples ? `, ${runDir.samplePath(epoch)}` : ''}`,
      );
    }
  } finally {
    progress.stop();
    fixedNoise.dispose();
  }
}
