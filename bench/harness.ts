/**
 * Shared set-up for the benchmarks: an engine, a GAN of a given architecture
 * and a GanTrainer built the way `gan train` builds it (objective from the
 * config, generator EMA when train.ema > 0), whose iterations run on fixed
 * random "real" batches via GanTrainer.trainIteration, without data loading.
 */
import * as tf from '@tensorflow/tfjs';
import { configSchema, type Config } from '../src/config.js';
import { buildModels } from '../src/models/index.js';
import { createTrainer } from '../src/train/trainer.js';
import type { UpdateKernels } from '../src/train/update-kernels.js';
import type { GanTrainer } from '../src/train/trainer.js';
import type { Batch } from '../src/data/batches.js';

export type ModelName = 'mlp' | 'dcgan' | 'cdcgan' | 'dcgan-narrow' | 'cdcgan-narrow';
export const MODELS: readonly ModelName[] = ['mlp', 'dcgan', 'cdcgan'];

export const IMAGE_SHAPE = { height: 28, width: 28, channels: 1 };
export const CLASSES = 10;

/** A validated config for a benchmark model (defaults otherwise); "-narrow": a few channels per layer. */
export function benchConfig(model: ModelName, batchSize: number, seed = 42): Config {
  const arch = model === 'mlp' ? 'mlp' : 'dcgan';
  const narrow = model.endsWith('-narrow') ? { g_widths: [16, 8], d_widths: [8, 16] } : {};
  const conditional = model.startsWith('cdcgan') ? { conditional: true } : {};
  return configSchema.parse({
    run: { seed },
    model: { arch, ...narrow, ...conditional },
    train: { batch_size: batchSize },
  });
}

export interface Rig {
  trainer: GanTrainer;
  /** d_steps real batches (images in [-1, 1], labels 0..9), kept for the rig's lifetime. */
  real: Batch[];
  dispose(): void;
}

/**
 * Builds models + trainer (with the engine's update kernels, as `gan train` does) and fixed real
 * batches; deterministic in the config's seed.
 */
export function buildRig(config: Config, updates?: Partial<UpdateKernels>): Rig {
  const seed = config.run.seed;
  const models = buildModels(config.model, IMAGE_SHAPE, seed, CLASSES);
  const trainer = createTrainer(config, models, updates);
  const { batch_size: b, d_steps: steps } = config.train;
  const real = Array.from({ length: steps }, (_, i): Batch => ({
    images: tf.randomUniform([b, IMAGE_SHAPE.height, IMAGE_SHAPE.width, 1], -1, 1, 'float32', seed + i) as tf.Tensor4D,
    labels: tf.randomUniform([b], 0, CLASSES, 'int32', seed + 100 + i) as tf.Tensor1D,
  }));
  return {
    trainer,
    real,
    dispose() {
      trainer.dispose();
      models.generator.dispose();
      models.discriminator.dispose();
      tf.dispose(real.flatMap((r) => [r.images, r.labels]));
    },
  };
}

/** The value after `--name` on the command line, or `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
