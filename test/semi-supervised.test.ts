// The semi-supervised GAN: its loss terms on hand-computed values, the weight-normalised layer
// (forward, gradient, save and load, data-dependent init), the proof that the model sees no label
// beyond the N it is given, and a tiny run through the real CLI followed by `gan classify`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { parseConfig } from '../src/config.ts';
import { TrainingSet } from '../src/data/batches.ts';
import type { ImageSet } from '../src/data/index.ts';
import { balancedSubset, splitLabels } from '../src/data/subsets.ts';
import { selectEngine } from '../src/engine/select.ts';
import { semiSupervised } from '../src/losses.ts';
import { buildModels } from '../src/models/index.ts';
import { initializeFromData } from '../src/ssgan/model.ts';
import { stockScaleShift, WeightNormDense } from '../src/ssgan/weight-norm.ts';
import { deriveSeed, mulberry32, normalArray } from '../src/random.ts';
import { createSemiSupervisedTrainer } from '../src/ssgan/trainer.ts';
import { chooseSelfLabels } from '../src/ssgan/self-labels.ts';
import { syntheticImageSet } from './helpers.ts';

const value = async (t: tf.Tensor) => (await t.data())[0]!;
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-5, `${what}: ${a} vs ${b}`);

test('the loss terms equal their hand-computed values', async () => {
  await selectEngine('cpu');
  // Two images, K = 2 logits each; the fake class's logit is 0.
  const logits = tf.tensor2d([
    [1, 2],
    [0, -1],
  ]);
  const lse = [Math.log(Math.E + Math.E ** 2), Math.log(1 + Math.exp(-1))];
  // labelled: mean(lse − l_y) with labels 1 and 0.
  close(
    await value(
      semiSupervised.labelledLoss(
        logits,
        tf.tensor2d([
          [0, 1],
          [1, 0],
        ]),
      ),
    ),
    (lse[0]! - 2 + lse[1]! - 0) / 2,
    'labelled',
  );
  // unlabelled: ½(mean softplus(lse_real) − mean lse_real + mean softplus(lse_fake)), fakes = [[−1, −2]].
  const softplus = (x: number) => Math.log(1 + Math.exp(x));
  const fakeLse = Math.log(Math.exp(-1) + Math.exp(-2));
  const real = (softplus(lse[0]!) + softplus(lse[1]!)) / 2 - (lse[0]! + lse[1]!) / 2;
  close(
    await value(semiSupervised.unlabelledLoss(logits, tf.tensor2d([[-1, -2]]))),
    0.5 * (real + softplus(fakeLse)),
    'unlabelled',
  );
  // It is ½(−mean log D(x) − mean log(1 − D(G(z)))) with D = Z/(Z + 1).
  const D = (l: number) => Math.exp(l) / (Math.exp(l) + 1);
  close(
    await value(semiSupervised.unlabelledLoss(logits, tf.tensor2d([[-1, -2]]))),
    0.5 * (-(Math.log(D(lse[0]!)) + Math.log(D(lse[1]!))) / 2 - Math.log(1 - D(fakeLse))),
    'unlabelled as log D',
  );
  // feature matching: mean over features of (mean fake − mean real)².
  const fm = semiSupervised.featureMatchingLoss(
    tf.tensor2d([
      [1, 2],
      [3, 4],
    ]),
    tf.tensor2d([
      [0, 0],
      [2, 2],
    ]),
  );
  close(await value(fm), ((1 - 2) ** 2 + (1 - 3) ** 2) / 2, 'feature matching');
  close(await value(semiSupervised.probabilityReal(logits)), (D(lse[0]!) + D(lse[1]!)) / 2, 'D(x)');
  // self-labels: cross-entropy averaged over the masked rows only (row 2's label is ignored).
  close(
    await value(
      semiSupervised.selfLabelLoss(
        logits,
        tf.tensor2d([
          [0, 1],
          [0, 1],
        ]),
        tf.tensor1d([1, 0]),
      ),
    ),
    lse[0]! - 2,
    'self-label',
  );
  // consistency: mean over rows and classes of the squared difference of the softmaxes.
  const softmax = (a: number, b: number) => [
    Math.exp(a) / (Math.exp(a) + Math.exp(b)),
    Math.exp(b) / (Math.exp(a) + Math.exp(b)),
  ];
  const other = [
    [2, 2],
    [1, -1],
  ];
  const [p, q] = [
    [softmax(1, 2), softmax(0, -1)],
    [softmax(2, 2), softmax(1, -1)],
  ];
  const mse = [0, 1].flatMap((r) => [0, 1].map((c) => (p[r]![c]! - q[r]![c]!) ** 2)).reduce((a, b) => a + b) / 4;
  close(await value(semiSupervised.consistencyLoss(logits, tf.tensor2d(other))), mse, 'consistency');
});

test('self-labels: the most confident per class, as many for every class, none below the threshold', () => {
  // Classes 0, 1, 2; confidences of 8 images.
  const confidence = [0.99, 0.97, 0.5, 0.98, 0.96, 0.995, 0.91, 0.999];
  const predicted = [0, 0, 0, 1, 1, 2, 2, 1];
  const { table, perClass } = chooseSelfLabels(confidence, predicted, 3, 0.95);
  // Class 2 has one image at 0.95 or more (0.995), so each class gets one: its most confident.
  assert.equal(perClass, 1);
  assert.deepEqual([...table], [0, -1, -1, -1, -1, 2, -1, 1]);
  // A class with no confident image: nothing is self-labelled.
  assert.equal(chooseSelfLabels(confidence, predicted, 4, 0.95).perClass, 0);
  assert.ok(chooseSelfLabels(confidence, predicted, 4, 0.95).table.every((c) => c === -1));
});

test("model.g_output sigmoid: G's images stay in [-1, 1]", async () => {
  await selectEngine('cpu');
  const config = parseConfig('', 'x.yaml', ['model.arch=ssgan', 'ssgan.labels=10', 'model.g_output=sigmoid']);
  const { generator } = buildModels(config.model, { height: 28, width: 28, channels: 1 }, 1, 10);
  assert.ok(generator.layers.some((l) => l instanceof WeightNormDense && l.activation === 'sigmoid'));
  const images = generator.predict(tf.mul(tf.randomNormal([16, 100], 0, 1, 'float32', 1), 30)) as tf.Tensor;
  const [lo, hi] = [await value(tf.min(images)), await value(tf.max(images))];
  assert.ok(lo >= -1 && hi <= 1 && hi - lo > 0.5, `range [${lo}, ${hi}]`);
});

test('weight norm: the output is x·(g·v/‖v‖) + b, its gradients match finite differences, saves, loads', async () => {
  await selectEngine('cpu');
  const layer = new WeightNormDense({ units: 3, activation: 'linear', trainScale: true, seed: 1, inputDim: 4 });
  const model = tf.sequential({ layers: [layer] });
  layer.setWeights([
    tf.randomNormal([4, 3], 0, 1, 'float32', 2),
    tf.tensor1d([0.7, 1.3, 2.1]),
    tf.tensor1d([0.3, -0.5, 0.2]),
  ]);
  const [v, g, b] = layer.getWeights() as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
  const x = tf.randomNormal([5, 4], 0, 1, 'float32', 3) as tf.Tensor2D;
  const w = tf.mul(v, tf.div(g, tf.norm(v, 'euclidean', 0)));
  const diff = tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, tf.add(tf.matMul(x, w), b))));
  assert.ok((await value(diff)) < 1e-5, 'forward');
  assert.ok((await value(tf.max(tf.abs(tf.sub(tf.norm(w, 'euclidean', 0), g))))) < 1e-5, '‖w_j‖ = g_j');

  // loss = Σ c ⊙ layer(x): analytic gradients of v, g and b against central differences.
  const c = tf.randomNormal([5, 3], 0, 1, 'float32', 4);
  const loss = () => tf.sum(tf.mul(model.apply(x) as tf.Tensor, c)) as tf.Scalar;
  const variables = layer.trainableWeights.map((t) => t.read() as tf.Variable);
  assert.equal(variables.length, 3, 'v, g and b train');
  const { grads } = tf.variableGrads(loss, variables);
  let worst = 0;
  for (const variable of variables) {
    const analytic = await grads[variable.name]!.data();
    const base = Float32Array.from(await variable.data());
    for (let i = 0; i < base.length; i++) {
      const at = async (delta: number) => {
        const p = base.slice();
        p[i] = base[i]! + delta;
        variable.assign(tf.tensor(p, variable.shape));
        return value(loss());
      };
      const numeric = ((await at(1e-2)) - (await at(-1e-2))) / 2e-2;
      variable.assign(tf.tensor(base, variable.shape));
      worst = Math.max(worst, Math.abs(numeric - analytic[i]!) / Math.max(1e-2, Math.abs(numeric)));
    }
  }
  assert.ok(worst < 1e-2, `worst relative error ${worst}`);

  let artifacts!: tf.io.ModelArtifacts;
  await model.save(
    tf.io.withSaveHandler(
      async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }),
    ),
  );
  const back = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  assert.ok(back.layers.some((l) => l instanceof WeightNormDense));
  assert.equal(await value(tf.max(tf.abs(tf.sub(back.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)))), 0);
});

test('data-dependent initialisation: every unit of the first layer starts at mean 0, std 1 on the batch', async () => {
  await selectEngine('cpu');
  const config = parseConfig('', 'x.yaml', ['model.arch=ssgan', 'ssgan.labels=10', 'model.d_widths=[32, 16]']);
  const { discriminator } = buildModels(config.model, { height: 28, width: 28, channels: 1 }, 1, 10);
  const images = new TrainingSet(syntheticImageSet(200)).images;
  initializeFromData(discriminator, images, 5);
  // The first WN layer's pre-activations on the same batch with the same noise: that of layer 2
  // (after flatten and the rescaling to [0, 1]), drawn from the seed as src/ssgan/model.ts draws it.
  const first = discriminator.layers[3] as WeightNormDense;
  const input = tf.tidy(() => {
    const unit = tf.add(tf.mul(tf.reshape(images, [200, 784]), 0.5), 0.5);
    return tf.add(unit, tf.tensor(normalArray(200 * 784, 0.3, deriveSeed(5, 2)), [200, 784]));
  });
  const { mean, variance } = tf.moments(
    first.outputOf(input, undefined, (p, s, b) => stockScaleShift(p, s, b, false)),
    0,
  );
  assert.ok((await value(tf.max(tf.abs(mean)))) < 1e-3);
  assert.ok((await value(tf.max(tf.abs(tf.sub(tf.sqrt(variance), 1))))) < 1e-2);
});

const TINY = [
  'model.arch=ssgan',
  'model.g_widths=[32, 32]',
  'model.d_widths=[64, 32]',
  'model.latent_dim=16',
  'ssgan.labels=20',
  'train.batch_size=16',
  'ssgan.d_ema=0.9',
  'train.ema=0.9',
  'ssgan.labelled_shift=2',
  'train.lr_decay=0.5',
  'train.lr_g=0.003',
  'train.lr_d=0.003',
];

/** Every recipe candidate on, self-labelling from the second iteration. */
const CANDIDATES = [
  'ssgan.consistency=10',
  'ssgan.self_label=0.5',
  'ssgan.self_label_after=3',
  'ssgan.self_label_confidence=0.1',
];

/** Trains a tiny semi-supervised GAN 4 iterations on `set` with the labelled rows `indices`; every weight after. */
async function trainedWeights(set: ImageSet, indices: Int32Array, extra: string[] = []): Promise<Float32Array[]> {
  const config = parseConfig('', 'tiny.yaml', [...TINY, ...extra]);
  const split = splitLabels(set, indices);
  const data = new TrainingSet(split.unlabelled);
  const models = buildModels(config.model, { height: 28, width: 28, channels: 1 }, config.run.seed, 10);
  const trainer = createSemiSupervisedTrainer(config, models, {
    labelled: split.labelled,
    unlabelled: data,
    totalIterations: 4,
  });
  const order = data.epochOrder(config.run.seed, 1);
  for (let it = 0; it < 4; it++) {
    const batch = data.batch(order, it, config.train.batch_size);
    await trainer.trainIteration([batch]);
    tf.dispose([batch.images, batch.labels]);
  }
  if (extra.length > 0) assert.ok(trainer.selfLabelledPerClass! > 0, 'images were self-labelled');
  const networks = [models.generator, models.discriminator, trainer.discriminatorEma!.model, trainer.ema!.model];
  const weights = await Promise.all(
    networks.flatMap((n) => n.weights).map(async (w) => Float32Array.from(await w.read().data())),
  );
  trainer.dispose();
  data.dispose();
  return weights;
}

test('the model sees only its N labels: permuting every other label leaves the weights bit-identical', async () => {
  await selectEngine('cpu');
  const set = syntheticImageSet(160);
  // Varied images: the bars plus seeded speckle, so that the classes are not trivially separable.
  const rand = mulberry32(9);
  for (let i = 0; i < set.images.length; i++) if (rand() < 0.05) set.images[i] = 255;
  const indices = balancedSubset(set.labels, 10, 2, 7);
  const chosen = new Set(indices);
  const others = Array.from({ length: set.count }, (_, i) => i).filter((i) => !chosen.has(i));
  // Every label outside the N, shuffled among the other images.
  const permuted = Uint8Array.from(set.labels);
  const shuffled = others.map((i) => set.labels[i]!).sort(() => rand() - 0.5);
  others.forEach((i, k) => (permuted[i] = shuffled[k]!));
  assert.ok(others.filter((i) => permuted[i] !== set.labels[i]).length > others.length / 2, 'most labels changed');

  const original = await trainedWeights(set, indices);
  const withPermuted = await trainedWeights({ ...set, labels: permuted }, indices);
  original.forEach((w, i) => assert.deepEqual(withPermuted[i], w, `weight ${i} differs`));
  // The same with the consistency term and self-labelling on: their labels come from D alone.
  const candidates = await trainedWeights(set, indices, CANDIDATES);
  const candidatesPermuted = await trainedWeights({ ...set, labels: permuted }, indices, CANDIDATES);
  candidates.forEach((w, i) => assert.deepEqual(candidatesPermuted[i], w, `weight ${i} differs (candidates on)`));
  assert.ok(
    candidates.some((w, i) => w.some((x, j) => x !== original[i]![j])),
    'the candidates change the training',
  );

  // The control: one of the N labels changed does change the weights (the test can fail).
  const oneChanged = Uint8Array.from(set.labels);
  oneChanged[indices[0]!] = (oneChanged[indices[0]!]! + 1) % 10;
  const moved = await trainedWeights({ ...set, labels: oneChanged }, indices);
  assert.ok(
    moved.some((w, i) => w.some((x, j) => x !== original[i]![j])),
    'a labelled image’s label reaches the model',
  );
});
