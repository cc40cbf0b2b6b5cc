import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { parseConfig, type Config } from '../src/config.ts';
import { TrainingSet } from '../src/data/batches.ts';
import { selectEngine } from '../src/engine/select.ts';
import { buildModels, type GanModels } from '../src/models/index.ts';
import { createTrainer, r1WeightAt } from '../src/train/trainer.ts';
import { trainEpochs } from '../src/train/loop.ts';
import { RunDir } from '../src/checkpoint/run-dir.ts';
import { loadModel, saveModel } from '../src/checkpoint/model-io.ts';
import { loadOptimizer, saveOptimizer } from '../src/checkpoint/optimizer-io.ts';
import type { GanTrainer, StepStats } from '../src/train/trainer.ts';
import { syntheticImageSet } from './helpers.ts';
import { tempDir } from './helpers/temp-dir.ts';

const SHAPE = { height: 28, width: 28, channels: 1 };

function tinyConfig(arch: 'mlp' | 'dcgan', extra: string[] = []): Config {
  const widths =
    arch === 'mlp'
      ? ['model.g_widths=[32, 64]', 'model.d_widths=[64, 32]']
      : ['model.g_widths=[16, 8]', 'model.d_widths=[8, 16]'];
  return parseConfig('', 'test.yaml', [
    `model.arch=${arch}`,
    'model.latent_dim=16',
    'train.batch_size=16',
    ...widths,
    ...extra,
  ]);
}

function newTrainer(config: Config, trainingImages = Infinity): GanTrainer {
  return createTrainer(config, buildModels(config.model, SHAPE, config.run.seed), undefined, trainingImages);
}

/** The rate Adam uses on its next update (tfjs keeps it protected; the schedule sets it). */
function learningRateOf(optimizer: tf.AdamOptimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

function disposeModels(models: GanModels): void {
  models.generator.dispose();
  models.discriminator.dispose();
}

async function runSteps(
  trainer: GanTrainer,
  data: TrainingSet,
  config: Config,
  from: number,
  to: number,
): Promise<StepStats[]> {
  const stats: StepStats[] = [];
  const order = data.epochOrder(config.run.seed, 1);
  const perEpoch = data.batchesPerEpoch(config.train.batch_size);
  for (let step = from; step < to; step++) {
    const batch = data.batch(order, step % perEpoch, config.train.batch_size);
    stats.push(await trainer.trainIteration([batch]));
    tf.dispose([batch.images, batch.labels]);
  }
  return stats;
}

const HYGIENE_CASES = [
  ['cpu', 'mlp', []],
  ['wasm', 'mlp', []],
  ['wasm', 'dcgan', []],
  ['wasm', 'dcgan', ['model.conditional=true', 'model.class_norm=true', 'train.loss=wgan-gp', 'train.ema=0.99']],
  ['wasm', 'mlp', ['model.conditional=true', 'train.loss=hinge', 'train.r1=1']],
  ['wasm', 'dcgan', ['model.conditional=true', 'model.conditioning=acgan', 'train.loss=lsgan']],
  ['wasm', 'dcgan', ['train.augment=1', 'train.r1=1', 'model.minibatch_std=true']],
] as const;

for (const [engine, arch, extra] of HYGIENE_CASES) {
  test(
    `tensor count is flat across training steps (${arch} on ` +
      `${engine}${extra.length ? `, ${extra.join(' ')}` : ''})`,
    async () => {
      const { updates } = await selectEngine(engine);
      const config = tinyConfig(arch, [...extra]);
      const data = new TrainingSet(syntheticImageSet(64));
      const models = buildModels(config.model, SHAPE, config.run.seed);
      const trainer = createTrainer(config, models, updates);
      await runSteps(trainer, data, config, 0, 2);
      const after2 = tf.memory().numTensors;
      const stats = await runSteps(trainer, data, config, 2, 20);
      assert.equal(tf.memory().numTensors, after2, 'no tensors leaked between step 2 and step 20');
      for (const s of stats) for (const v of Object.values(s)) assert.ok(Number.isFinite(v));
      assert.ok(stats.every((s) => s.dReal > 0 && s.dReal < 1 && s.dFake > 0 && s.dFake < 1));
      trainer.dispose();
      disposeModels(trainer.models);
      data.dispose();
    },
  );
}

test('the same seed builds the same networks and takes the same steps', async () => {
  await selectEngine('cpu');
  const config = tinyConfig('mlp');
  const data = new TrainingSet(syntheticImageSet(64));
  const a = await runSteps(newTrainer(config), data, config, 0, 3);
  const b = await runSteps(newTrainer(config), data, config, 0, 3);
  assert.deepEqual(a, b);
  data.dispose();
});

test('saved models and optimizer state continue training exactly where they stopped', async () => {
  await selectEngine('cpu');
  // One epoch of 4 iterations whose second half has decaying rates: the schedule resumes too.
  const config = tinyConfig('dcgan', ['train.epochs=1', 'train.lr_decay=0.5']);
  const data = new TrainingSet(syntheticImageSet(64));
  const straight = newTrainer(config, data.count);
  const straightStats = await runSteps(straight, data, config, 0, 4);

  const first = newTrainer(config, data.count);
  await runSteps(first, data, config, 0, 2);
  const dir = tempDir('gan-ckpt-');
  await saveModel(first.models.generator, join(dir, 'g'));
  await saveModel(first.models.discriminator, join(dir, 'd'));
  await saveOptimizer(first.gOptimizer, dir, 'g-opt');
  await saveOptimizer(first.dOptimizer, dir, 'd-opt');

  const generator = await loadModel(join(dir, 'g'));
  const discriminator = await loadModel(join(dir, 'd'));
  const resumed = createTrainer(
    config,
    { generator, discriminator, latentDim: 16, imageShape: SHAPE, classes: 0, auxClassifier: false },
    undefined,
    data.count,
  );
  Object.assign(resumed.counters, first.counters);
  await loadOptimizer(resumed.gOptimizer, dir, 'g-opt');
  await loadOptimizer(resumed.dOptimizer, dir, 'd-opt');
  const resumedStats = await runSteps(resumed, data, config, 2, 4);
  assert.deepEqual(
    resumedStats,
    straightStats.slice(2),
    'steps 3-4 after reload match the uninterrupted run bit for bit',
  );

  const wStraight = straight.models.generator.getWeights();
  const wResumed = resumed.models.generator.getWeights();
  for (let i = 0; i < wStraight.length; i++) {
    assert.equal(tf.max(tf.abs(tf.sub(wStraight[i]!, wResumed[i]!))).dataSync()[0], 0);
  }
  data.dispose();
});

test('train.lr_decay: constant rates, then a linear fall over the last share of the run, read by Adam', async () => {
  await selectEngine('cpu');
  const data = new TrainingSet(syntheticImageSet(64));
  // 2 epochs of 4 iterations; the last half decays: factors 1, 1, 1, 1, 1, 3/4, 1/2, 1/4 before each iteration.
  const decaying = tinyConfig('mlp', ['train.epochs=2', 'train.lr_decay=0.5', 'train.lr_d=0.001']);
  const constant = tinyConfig('mlp', ['train.epochs=2', 'train.lr_d=0.001']);
  const rates: number[][] = [];
  const lastUpdate: number[] = [];
  for (const config of [decaying, constant]) {
    const trainer = newTrainer(config, data.count);
    const seen: number[] = [];
    let before: Float32Array[] = [];
    for (let step = 0; step < 8; step++) {
      before = trainer.models.generator.getWeights().map((w) => w.dataSync() as Float32Array);
      await runSteps(trainer, data, config, step, step + 1);
      seen.push(learningRateOf(trainer.gOptimizer) / config.train.lr_g);
      assert.equal(learningRateOf(trainer.dOptimizer) / config.train.lr_d, seen[step]);
    }
    const after = trainer.models.generator.getWeights().map((w) => w.dataSync() as Float32Array);
    lastUpdate.push(after.reduce((sum, w, i) => sum + w.reduce((s, v, j) => s + Math.abs(v - before[i]![j]!), 0), 0));
    rates.push(seen);
    trainer.dispose();
    disposeModels(trainer.models);
  }
  assert.deepEqual(rates[0], [1, 1, 1, 1, 1, 0.75, 0.5, 0.25]);
  assert.deepEqual(rates[1], [1, 1, 1, 1, 1, 1, 1, 1]);
  // Adam's step scales with its rate: the last update at a quarter of the rate moves G about a quarter as far.
  const ratio = lastUpdate[0]! / lastUpdate[1]!;
  assert.ok(ratio > 0.15 && ratio < 0.4, `last G update with decay / without: ${ratio}`);
  const models = buildModels(decaying.model, SHAPE, decaying.run.seed);
  assert.throws(() => createTrainer(decaying, models), /lr_decay needs the run length/);
  disposeModels(models);
  data.dispose();
});

test('lazy R1: the penalty only on every Nth D update, weighted N·γ', async () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((d) => r1WeightAt({ r1: 0.5, r1_every: 4 }, d)),
    [0, 0, 0, 2, 0, 0, 0, 2],
  );
  assert.deepEqual(
    [1, 2, 3].map((d) => r1WeightAt({ r1: 0.5, r1_every: 1 }, d)),
    [0.5, 0.5, 0.5],
  );
  assert.equal(r1WeightAt({ r1: 0, r1_every: 4 }, 4), 0);

  await selectEngine('cpu');
  const data = new TrainingSet(syntheticImageSet(64));
  const dWeights = (t: GanTrainer) => t.models.discriminator.getWeights().map((w) => Array.from(w.dataSync()));
  const lazy = tinyConfig('dcgan', ['train.r1=1', 'train.r1_every=2']);
  const none = tinyConfig('dcgan');
  // Every update with weight 2γ, its first switched off by hand: what lazy R1 should equal.
  const eager = tinyConfig('dcgan', ['train.r1=2']);
  const configs = [lazy, none, eager];
  const trainers = configs.map((c) => newTrainer(c));
  const [lazyT, noneT, eagerT] = trainers as [GanTrainer, GanTrainer, GanTrainer];
  const iteration = async (step: number) => {
    for (const [i, t] of trainers.entries()) await runSteps(t, data, configs[i]!, step, step + 1);
  };
  eager.train.r1 = 0;
  await iteration(0);
  assert.deepEqual(dWeights(lazyT), dWeights(noneT), 'no penalty on the first D update');
  eager.train.r1 = 2;
  await iteration(1);
  assert.notDeepEqual(dWeights(lazyT), dWeights(noneT), 'the penalty on the second');
  assert.deepEqual(dWeights(lazyT), dWeights(eagerT), 'weighted 2γ');
  for (const t of trainers) {
    t.dispose();
    disposeModels(t.models);
  }
  data.dispose();
});

test('tensor count stays flat over 300 training steps (small MLP, wasm)', async () => {
  await selectEngine('wasm');
  const config = tinyConfig('mlp');
  const data = new TrainingSet(syntheticImageSet(64));
  const trainer = newTrainer(config);
  await runSteps(trainer, data, config, 0, 2);
  const after2 = tf.memory().numTensors;
  for (let chunk = 0; chunk < 3; chunk++) {
    await runSteps(trainer, data, config, 2 + chunk * 100, 2 + (chunk + 1) * 100);
    assert.equal(tf.memory().numTensors, after2, `after ${2 + (chunk + 1) * 100} steps`);
  }
  trainer.dispose();
  data.dispose();
});

test('ACGAN: D takes images only and its class head learns the real classes; the class term reaches G', async () => {
  await selectEngine('wasm');
  const config = tinyConfig('dcgan', ['model.conditional=true', 'model.conditioning=acgan', 'train.lr_d=0.002']);
  const models = buildModels(config.model, SHAPE, config.run.seed);
  assert.equal(models.auxClassifier, true);
  assert.equal(models.discriminator.inputs.length, 1);
  assert.deepEqual(
    models.discriminator.outputs.map((o) => o.shape),
    [
      [null, 1],
      [null, 10],
    ],
  );
  assert.equal(models.generator.inputs.length, 2, 'G still takes (z, class)');

  const data = new TrainingSet(syntheticImageSet(160));
  const classHeadAccuracy = (): number =>
    tf.tidy(() => {
      const batch = data.batch(data.epochOrder(99, 1), 0, 160);
      const [, classLogits] = models.discriminator.predict(batch.images) as tf.Tensor[];
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(classLogits!, 1), batch.labels), 'float32')).dataSync()[0]!;
      tf.dispose([batch.images, batch.labels]);
      return hits / 160;
    });
  const before = classHeadAccuracy();
  const trainer = createTrainer(config, models);
  await runSteps(trainer, data, config, 0, 30);
  const after = classHeadAccuracy();
  // Ten classes of synthetic bars (one row per class): chance is 10%.
  assert.ok(
    after >= 0.6 && after > before,
    `D's class head accuracy on real images: ${before} before, ${after} after 30 steps`,
  );

  // One G step alone from identical networks: the only difference between class_weight 0 and 1
  // is the class term, so its gradient must reach G (different weights) and its value the loss.
  const oneGeneratorStep = (weight: number): { loss: number; weights: Float32Array[] } => {
    const c = tinyConfig('dcgan', [
      'model.conditional=true',
      'model.conditioning=acgan',
      `train.class_weight=${weight}`,
    ]);
    const m = buildModels(c.model, SHAPE, c.run.seed);
    const t = createTrainer(c, m);
    const loss = t.trainGeneratorOneStep();
    const out = {
      loss: loss.dataSync()[0]!,
      weights: m.generator.getWeights().map((w) => w.dataSync() as Float32Array),
    };
    loss.dispose();
    t.dispose();
    return out;
  };
  const without = oneGeneratorStep(0);
  const withClass = oneGeneratorStep(1);
  assert.ok(
    withClass.loss - without.loss > 1,
    `G loss with the class term (${withClass.loss}) adds ~ln(10) to the loss without it (${without.loss})`,
  );
  const moved = withClass.weights.some((w, i) => w.some((v, j) => v !== without.weights[i]![j]));
  assert.ok(moved, "the class term changes G's update");
  trainer.dispose();
});

test('an evaluation that fails is reported and recorded, and never costs the epoch its checkpoint', async () => {
  const config = tinyConfig('mlp', ['train.epochs=2', 'sample.grid=4', 'eval.every=1']);
  const runDir = new RunDir(join(tempDir('gan-evalfail-'), 'run'));
  runDir.prepare();
  const data = new TrainingSet(syntheticImageSet(32));
  const trainer = newTrainer(config);
  const warnings: string[] = [];
  try {
    const outcome = await trainEpochs({
      ...{ config, runDir, trainer, data, start: { epoch: 0, iteration: 0 }, engineName: 'cpu' },
      stop: { requested: false },
      evaluate: async (epoch) => {
        if (epoch === 1) throw new RangeError('the metrics need more samples');
        return { metrics: { fid: 1 }, summary: 'FID 1' };
      },
      warn: (line) => warnings.push(line),
      progress: { startEpoch() {}, update() {}, endEpoch() {}, stop() {} },
    });
    assert.deepEqual(outcome, { kind: 'finished' });
  } finally {
    trainer.dispose();
    data.dispose();
  }
  assert.deepEqual(warnings, [
    'the evaluation after epoch 1 failed (the metrics need more samples); the checkpoint is written without it',
  ]);
  assert.equal(runDir.latest()?.state.epoch, 2);
  assert.equal(runDir.latest()?.state.metrics?.fid, 1);
  const lines = readFileSync(runDir.metricsPath, 'utf8').trim().split('\n');
  const first = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(first.eval_error, 'the metrics need more samples');
  assert.ok(existsSync(runDir.epochDir(1)), 'epoch 1 has its checkpoint');
});
