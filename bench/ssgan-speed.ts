/**
 * Iterations per second of the semi-supervised GAN (`configs/ssgan.yaml`): the real trainer
 * `gan train` builds, on the real training images, timed after a warm-up.
 *
 *   node --import tsx bench/ssgan-speed.ts [--engine wasm] [--iters 60] [--warmup 10] [--profile]
 *                                          [--set ssgan.consistency=10 …]
 *
 * --profile adds the per-kernel table of one iteration (tf.profile) and the JavaScript time
 * outside kernels. --matmul only times D's first-layer product (300×784 by 784×1000, as
 * `bench/ssgan-torch.py --matmul` does). Prints one line `RESULT {json}` last.
 */
import * as tf from '@tensorflow/tfjs';
import { loadConfig } from '../src/config.js';
import { loadImageSet } from '../src/data/index.js';
import { TrainingSet } from '../src/data/batches.js';
import { balancedSubset, splitLabels } from '../src/data/subsets.js';
import { selectEngine, type EngineName } from '../src/engine/select.js';
import { buildModels } from '../src/models/index.js';
import { deriveSeed, Stream } from '../src/random.js';
import { createSemiSupervisedTrainer } from '../src/ssgan/trainer.js';
import { arg } from './harness.js';
import { profileKernels } from './profile.js';

const quiet = { log: () => {}, warn: () => {} };

/** GFLOP/s of D's largest product, weights changing between calls as in training. */
async function matmulRate(): Promise<void> {
  const a = tf.randomNormal([300, 784]) as tf.Tensor2D;
  const b = tf.variable(tf.randomNormal([784, 1000]));
  const time = async (reps: number) => {
    let ms = 0;
    for (let i = 0; i < reps; i++) {
      const started = performance.now();
      const c = tf.matMul(a, b);
      await c.data();
      ms += performance.now() - started;
      c.dispose();
      b.assign(tf.tidy(() => tf.add(b, 1e-3)));
    }
    return ms / reps;
  };
  await time(3);
  const ms = await time(20);
  console.log(`300×784 · 784×1000: ${ms.toFixed(2)} ms, ${((2 * 300 * 784 * 1000) / ms / 1e6).toFixed(1)} GFLOP/s`);
}

async function main(): Promise<void> {
  const engine = await selectEngine(arg('engine', 'wasm') as EngineName, 'dense');
  if (process.argv.includes('--matmul')) return matmulRate();
  const iters = Number(arg('iters', '60'));
  const warmup = Number(arg('warmup', '10'));
  // --set key=value (repeatable), as gan train takes them: the cost of a recipe candidate.
  const sets = process.argv.flatMap((a, i) => (a === '--set' && process.argv[i + 1] ? [process.argv[i + 1]!] : []));
  const { config } = loadConfig(arg('config', 'configs/ssgan.yaml'), sets);
  const images = await loadImageSet(config.data, 'train', quiet);
  const shape = { height: images.height, width: images.width, channels: images.channels };
  const classes = images.classes.length;
  const models = buildModels(config.model, shape, config.run.seed, classes);
  const indices = balancedSubset(
    images.labels,
    classes,
    config.ssgan.labels / classes,
    deriveSeed(config.run.seed, Stream.labelledSplit),
  );
  const { labelled, unlabelled } = splitLabels(images, indices);
  const data = new TrainingSet(unlabelled);
  const batch = config.train.batch_size;
  const perEpoch = data.batchesPerEpoch(batch);
  const trainer = createSemiSupervisedTrainer(
    config,
    models,
    { labelled, unlabelled: data, totalIterations: config.train.epochs * perEpoch },
    engine.updates,
  );
  let position = 0;
  const iterate = async () => {
    const epoch = Math.floor(position / perEpoch);
    const b = data.batch(data.epochOrder(config.run.seed, epoch), position % perEpoch, batch);
    position += 1;
    await trainer.trainIteration([b]);
    tf.dispose([b.images, b.labels]);
  };
  for (let i = 0; i < warmup; i++) await iterate();
  const tensors = tf.memory().numTensors;
  const started = performance.now();
  for (let i = 0; i < iters; i++) await iterate();
  const seconds = (performance.now() - started) / 1000;
  const leaked = tf.memory().numTensors - tensors;
  const result = { engine: engine.name, iters, itPerSec: iters / seconds, leaked };
  console.log(`${result.itPerSec.toFixed(2)} it/s (${iters} iterations, ${engine.name}; tensors +${leaked})`);
  if (process.argv.includes('--profile')) {
    const wall = performance.now();
    const profile = await profileKernels(iterate);
    const wallMs = performance.now() - wall;
    const kernels = `${profile.kernelMs.toFixed(1)} ms in ${profile.kernelCalls} kernels`;
    console.log(`one iteration: ${wallMs.toFixed(1)} ms wall, ${kernels}`);
    for (const k of profile.kernels.slice(0, 25))
      console.log(`  ${k.name.padEnd(28)} ${String(k.calls).padStart(4)} ${k.ms.toFixed(2).padStart(8)} ms`);
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
  trainer.dispose();
  data.dispose();
}

await main();
