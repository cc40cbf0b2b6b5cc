/**
 * The same training on two engines: a GAN built from one config and seed, trained a few
 * iterations on synthetic batches, its losses and every weight (G, D, the EMA copy) read back.
 * Used by test/e2e/webgpu.test.ts and scripts/gpu/bench.ts to compare the webgpu engine with cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { parseConfig, type Config } from '../src/config.js';
import { TrainingSet } from '../src/data/batches.js';
import { selectEngine, type EngineRequest } from '../src/engine/select.js';
import { buildModels } from '../src/models/index.js';
import { createTrainer } from '../src/train/trainer.js';

const SHAPE = { height: 28, width: 28, channels: 1 };

export interface TrainedState {
  losses: number[];
  weights: Float32Array[];
  /** Live tensors after each iteration. */
  tensors: number[];
}

/** 28×28 images with a class-dependent bright bar: deterministic data without any download. */
function barImages(count: number): TrainingSet {
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    const row = 4 + (i % 10) * 2;
    for (let x = 4; x < 24; x++) images[i * 784 + row * 28 + x] = 255;
  }
  return new TrainingSet({
    images,
    labels,
    count,
    height: 28,
    width: 28,
    channels: 1,
    classes: [...'0123456789'],
    origin: 'bars',
  });
}

/** A DCGAN config: `widths` [G..., D...] narrow for quick checks, or the defaults. */
export function dcganConfig(batch: number, extra: string[] = [], narrow = true): Config {
  const widths = narrow ? ['model.g_widths=[16, 8]', 'model.d_widths=[8, 16]', 'model.latent_dim=16'] : [];
  return parseConfig('', 'equivalence.yaml', [...widths, `train.batch_size=${batch}`, ...extra]);
}

export async function trainOn(engine: EngineRequest, config: Config, iterations: number): Promise<TrainedState> {
  const { updates } = await selectEngine(engine);
  const data = barImages(Math.max(64, 2 * config.train.batch_size));
  const models = buildModels(config.model, SHAPE, config.run.seed);
  const trainer = createTrainer(config, models, updates);
  const order = data.epochOrder(config.run.seed, 1);
  const losses: number[] = [];
  const tensors: number[] = [];
  for (let it = 0; it < iterations; it++) {
    const batch = data.batch(order, it % data.batchesPerEpoch(config.train.batch_size), config.train.batch_size);
    const stats = await trainer.trainIteration([batch]);
    tf.dispose([batch.images, batch.labels]);
    losses.push(stats.dLoss, stats.gLoss);
    tensors.push(tf.memory().numTensors);
  }
  const all = [...models.generator.weights, ...models.discriminator.weights, ...(trainer.ema?.model.weights ?? [])];
  const weights = await Promise.all(all.map(async (w) => (await w.read().data()) as Float32Array));
  trainer.dispose();
  models.generator.dispose();
  models.discriminator.dispose();
  data.dispose();
  return { losses, weights, tensors };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`${a.length} vs ${b.length} values`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Largest differences between two runs of the same training: losses, and over every weight. */
export function compareStates(a: TrainedState, b: TrainedState): { losses: number; weights: number } {
  return {
    losses: maxAbsDiff(a.losses, b.losses),
    weights: Math.max(...a.weights.map((w, i) => maxAbsDiff(w, b.weights[i]!))),
  };
}
