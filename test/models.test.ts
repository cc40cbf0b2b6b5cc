// Model builders' options: conditional batch norm in the DCGAN generator (model.class_norm) and
// the minibatch standard deviation in its discriminator (model.minibatch_std).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { parseConfig } from '../src/config.ts';
import { selectEngine } from '../src/engine/select.ts';
import { loadModel, saveModel } from '../src/checkpoint/model-io.ts';
import { MinibatchStd } from '../src/models/minibatch-std.ts';
import { buildDiscriminator, buildGenerator } from '../src/models/index.ts';
import { tempDir } from './helpers/temp-dir.ts';

const SHAPE = { height: 28, width: 28, channels: 1 };

function generator(classNorm: boolean): tf.LayersModel {
  const config = parseConfig('', 'test.yaml', [
    'model.conditional=true',
    `model.class_norm=${classNorm}`,
    'model.latent_dim=16',
    'model.g_widths=[16, 8]',
  ]);
  return buildGenerator(config.model, SHAPE, 5);
}

/** Four images of each of classes 0..2 from one noise batch, in training mode (batch statistics). */
function draw(g: tf.LayersModel): Float32Array {
  return tf.tidy(() => {
    const z = tf.randomNormal([12, 16], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.tensor1d([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], 'int32'), 10).toFloat();
    return (g.apply([z, y], { training: true }) as tf.Tensor).dataSync() as Float32Array;
  });
}

test('model.class_norm adds a per-class scale and shift at each of G’s batch norms, starting at zero', async () => {
  await selectEngine('cpu');
  const plain = generator(false);
  const withNorm = generator(true);
  const added = withNorm.weights
    .map((w) => w.originalName)
    .filter((n) => !plain.weights.some((p) => p.originalName === n));
  // One batch norm after the projection and one per upsampling stage, each with a gamma and a beta map.
  assert.deepEqual(added.sort(), [
    'g_project_bn_beta/kernel',
    'g_project_bn_gamma/kernel',
    'g_up1_bn_beta/kernel',
    'g_up1_bn_gamma/kernel',
  ]);
  // Fresh, the class terms are zero and the other weights are drawn as without them: same images.
  const values = (g: tf.LayersModel, name: string) =>
    g.weights
      .find((w) => w.originalName === name)!
      .read()
      .dataSync();
  for (const w of plain.weights) assert.deepEqual(values(withNorm, w.originalName), values(plain, w.originalName));
  for (const name of added)
    assert.ok(
      values(withNorm, name).every((v) => v === 0),
      `${name} starts at zero`,
    );
  assert.deepEqual(draw(withNorm), draw(plain));

  // A shift for class 1 at the last batch norm changes class 1's images only.
  const beta = withNorm.getLayer('g_up1_bn_beta');
  const [kernel] = beta.getWeights();
  const shifted = tf.tidy(() =>
    kernel!.add(
      tf
        .oneHot(tf.tensor1d([1], 'int32'), 10)
        .reshape([10, 1])
        .mul(0.5),
    ),
  );
  beta.setWeights([shifted]);
  const before = draw(plain);
  const after = draw(withNorm);
  const per = 28 * 28 * 4;
  const changed = (c: number) => after.slice(c * per, (c + 1) * per).some((v, i) => v !== before[c * per + i]);
  assert.deepEqual([0, 1, 2].map(changed), [false, true, false]);
  tf.dispose(shifted);
  plain.dispose();
  withNorm.dispose();
});

test('model.class_norm and model.minibatch_std are refused where the networks lack what they change', () => {
  for (const sets of [
    ['model.class_norm=true'],
    ['model.class_norm=true', 'model.arch=mlp', 'model.conditional=true'],
  ]) {
    assert.throws(
      () => parseConfig('', 'run.yaml', sets),
      /^.*model\.class_norm: needs model\.arch dcgan and model\.conditional true/,
    );
  }
  assert.throws(
    () => parseConfig('', 'run.yaml', ['model.minibatch_std=true', 'model.arch=mlp']),
    /model\.minibatch_std: needs model\.arch dcgan/,
  );
});

test('the minibatch std map holds the batch’s mean standard deviation, and gradients flow through it', async () => {
  await selectEngine('cpu');
  const layer = new MinibatchStd();
  // Two images a and a + 2 differ by 2 everywhere: every (population) std is 1.
  const a = tf.randomUniform([1, 3, 3, 2], -1, 1, 'float32', 1);
  const pair = tf.concat([a, tf.add(a, 2)]);
  const out = layer.apply(pair) as tf.Tensor;
  assert.deepEqual(out.shape, [2, 3, 3, 3]);
  const [features, map] = tf.split(out, [2, 1], -1);
  assert.deepEqual(features!.dataSync(), pair.dataSync(), 'the features pass through unchanged');
  for (const v of map!.dataSync()) assert.ok(Math.abs(v - 1) < 1e-5, `map value ${v}`);
  // A batch of identical images has no spread: the map is ~0 (the square root of the epsilon).
  const same = layer.apply(tf.concat([a, a])) as tf.Tensor;
  for (const v of tf.split(same, [2, 1], -1)[1]!.dataSync()) assert.ok(v < 1e-3, `map value ${v}`);
  // The gradient of the map's sum pushes the two images apart (b - a grows).
  const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.split(layer.apply(x) as tf.Tensor, [2, 1], -1)[1]!))(pair);
  const [ga, gb] = tf.split(grad, 2);
  const outward = tf.sum(tf.sub(gb!, ga!));
  assert.ok(outward.dataSync()[0]! > 0, 'the gradient moves b - a outward');
  tf.dispose([a, pair, out, features!, map!, same, grad, ga!, gb!, outward]);
});

test('a discriminator with the minibatch std layer saves and loads back to the same outputs', async () => {
  await selectEngine('cpu');
  const config = parseConfig('', 'test.yaml', ['model.minibatch_std=true', 'model.d_widths=[8, 16]']);
  const d = buildDiscriminator(config.model, SHAPE, 5);
  assert.ok(d.layers.some((layer) => layer instanceof MinibatchStd));
  const dir = tempDir('gan-mbstd-');
  await saveModel(d, dir);
  const loaded = await loadModel(dir);
  const images = tf.randomUniform([4, 28, 28, 1], -1, 1, 'float32', 2);
  const before = d.predict(images) as tf.Tensor;
  const after = loaded.predict(images) as tf.Tensor;
  assert.deepEqual(after.dataSync(), before.dataSync());
  tf.dispose([images, before, after]);
  d.dispose();
  loaded.dispose();
});
