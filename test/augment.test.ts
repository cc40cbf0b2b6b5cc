import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { parseConfig } from '../src/config.ts';
import { TrainingSet } from '../src/data/batches.ts';
import {
  affine,
  AUTO_FULL_BELOW,
  AUTO_NONE_FROM,
  autoAugmentProbability,
  diffAugment,
  randomAffine,
  translate,
} from '../src/data/augment.ts';
import { selectEngine } from '../src/engine/select.ts';
import { buildModels } from '../src/models/index.ts';
import { augmentPolicy, createTrainer } from '../src/train/trainer.ts';
import { syntheticImageSet } from './helpers.ts';

/** [n, H, W, 1] images whose pixels are all distinct, in [-1, 1). */
function ramp(n: number, size: number): tf.Tensor4D {
  const values = Float32Array.from({ length: n * size * size }, (_, i) => (2 * i) / (n * size * size) - 1);
  return tf.tensor4d(values, [n, size, size, 1]);
}

test('translate moves each image by its own offset and fills the border with the background', async () => {
  await selectEngine('cpu');
  const images = ramp(2, 5);
  const moved = translate(images, { dy: Int32Array.of(1, 0), dx: Int32Array.of(0, -2) }, -1);
  const [a, b] = [await images.array(), await moved.array()];
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      // Image 0: one row down; image 1: two columns left.
      assert.equal(b[0]![y]![x]![0], y === 0 ? -1 : a[0]![y - 1]![x]![0], `image 0 (${y}, ${x})`);
      assert.equal(b[1]![y]![x]![0], x >= 3 ? -1 : a[1]![y]![x + 2]![0], `image 1 (${y}, ${x})`);
    }
  }
  tf.dispose([images, moved]);
});

test('affine: identity copies, a whole-pixel shift equals translate, a rotation keeps the mass', async () => {
  for (const engine of ['cpu', 'wasm'] as const) {
    await selectEngine(engine);
    const images = ramp(3, 9);
    const same = affine(images, { degrees: 0, scale: 0, shift: 0 }, 1);
    const close = async (a: tf.Tensor, b: tf.Tensor, what: string) =>
      assert.ok((await tf.max(tf.abs(tf.sub(a, b))).data())[0]! < 1e-6, what);
    await close(same, images, `${engine}: identity`);
    // A map with no rotation or scale and an integer shift samples whole pixels: translate's result.
    const rows = randomAffine(1, 9, 9, { degrees: 0, scale: 0, shift: 0 }, 1);
    const shifted = tf.tidy(() =>
      tf.image.transform(images, tf.tensor2d([[1, 0, -2, 0, 1, 1, 0, 0]]), 'bilinear', 'constant', -1),
    );
    const expected = translate(images, { dy: Int32Array.of(-1, -1, -1), dx: Int32Array.of(2, 2, 2) });
    const identityRows = Array.from(await rows.data(), (v) => v + 0); // −0 → 0
    assert.deepEqual(identityRows, [1, 0, 0, 0, 1, 0, 0, 0], `${engine}: identity rows`);
    await close(shifted, expected, `${engine}: shift`);
    // A centred blob rotated by up to 30° keeps (nearly) all its brightness.
    const blob = tf.tidy(() =>
      tf
        .pad(tf.ones([1, 5, 5, 1]), [
          [0, 0],
          [6, 6],
          [6, 6],
          [0, 0],
        ])
        .mul(2)
        .sub(1),
    );
    const rotated = affine(blob as tf.Tensor4D, { degrees: 30, scale: 0, shift: 0 }, 3);
    const mass = async (t: tf.Tensor) => (await tf.sum(tf.add(t, 1)).data())[0]!;
    const [before, after] = [await mass(blob), await mass(rotated)];
    assert.ok(Math.abs(after - before) / before < 0.05, `${engine}: mass ${before} → ${after}`);
    tf.dispose([images, same, rows, shifted, expected, blob, rotated]);
  }
});

test('diffAugment: identity at p = 0, deterministic under its seed, each image shifted and cut at p = 1', async () => {
  await selectEngine('cpu');
  const images = ramp(8, 12);
  const policy = { p: 1, translate: 2, cutout: 4 };
  assert.equal(diffAugment(images, { ...policy, p: 0 }, 1), images, 'p = 0 returns the images untouched');
  const once = diffAugment(images, policy, 7);
  const again = diffAugment(images, policy, 7);
  const other = diffAugment(images, policy, 8);
  assert.deepEqual(await once.data(), await again.data(), 'same seed, same augmentation');
  assert.notDeepEqual(await once.data(), await other.data(), 'another seed, another augmentation');
  // Cutout: every image has at least a 2×2 corner of its 4×4 square inside, set to the background.
  const backgrounds = tf.tidy(() => tf.sum(tf.cast(tf.equal(once, -1), 'int32'), [1, 2, 3]));
  const original = tf.tidy(() => tf.sum(tf.cast(tf.equal(images, -1), 'int32'), [1, 2, 3]));
  const [cut, before] = [await backgrounds.data(), await original.data()];
  for (let k = 0; k < 8; k++) assert.ok(cut[k]! >= before[k]! + 4, `image ${k}: ${cut[k]} background pixels`);
  // With cutout off and p = 1, every pixel that stays inside the image keeps its value: the
  // augmented image is the original moved by one offset.
  const shiftedOnly = await diffAugment(images, { ...policy, cutout: 0 }, 7).array();
  const source = await images.array();
  for (let k = 0; k < 8; k++) {
    const found = [-2, -1, 0, 1, 2].some((dy) =>
      [-2, -1, 0, 1, 2].some((dx) =>
        shiftedOnly[k]!.every((row, y) =>
          row.every(([v], x) => {
            const [sy, sx] = [y - dy, x - dx];
            const inside = sy >= 0 && sy < 12 && sx >= 0 && sx < 12;
            return v === (inside ? source[k]![sy]![sx]![0] : -1);
          }),
        ),
      ),
    );
    assert.ok(found, `image ${k} is a whole-pixel shift of its original`);
  }
  tf.dispose([images, once, again, other, backgrounds, original]);
});

test('diffAugment is differentiable: the gradient reaches what made the images', async () => {
  await selectEngine('cpu');
  const x = tf.variable(ramp(4, 10));
  const weights = tf.randomNormal([4, 10, 10, 1], 0, 1, 'float32', 3);
  const policy = { p: 1, translate: 2, cutout: 3 };
  const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(diffAugment(v as tf.Tensor4D, policy, 5), weights)))(x);
  // d/dx of Σ w·aug(x): each kept pixel receives the weight of where it moved; cut or
  // shifted-out pixels receive 0. Check against the augmentation applied to a one-hot input.
  const g = await grad.data();
  assert.ok(
    g.some((v) => v !== 0),
    'some gradient flows',
  );
  assert.ok(
    g.some((v) => v === 0),
    'pixels that were cut or moved out get none',
  );
  const eps = 1e-2;
  const f = (v: tf.Tensor) =>
    tf.tidy(() => tf.sum(tf.mul(diffAugment(v as tf.Tensor4D, policy, 5), weights)).arraySync());
  for (const i of [0, 37, 155, 399]) {
    const bump = tf.tidy(() => tf.add(x, tf.mul(tf.oneHot([i], 400).reshape([4, 10, 10, 1]), eps)));
    const numeric = ((f(bump) as number) - (f(x) as number)) / eps;
    assert.ok(Math.abs(numeric - g[i]!) < 1e-3, `pixel ${i}: analytic ${g[i]} vs numeric ${numeric}`);
    bump.dispose();
  }
  tf.dispose([x, weights, grad]);
});

test('train.augment: the auto rule, the policy, a GAN step through it that reaches G, no leaks', async () => {
  await selectEngine('cpu');
  assert.equal(autoAugmentProbability(AUTO_FULL_BELOW), 1);
  assert.equal(autoAugmentProbability(AUTO_NONE_FROM), 0);
  assert.equal(autoAugmentProbability((AUTO_FULL_BELOW + AUTO_NONE_FROM) / 2), 0.5);
  const config = parseConfig('', 'test.yaml', [
    'model.arch=mlp',
    'model.latent_dim=8',
    'model.g_widths=[16]',
    'model.d_widths=[16]',
    'train.batch_size=8',
    'train.augment=auto',
  ]);
  assert.deepEqual(augmentPolicy(config.train, 8000), { p: 1, translate: 3, cutout: 14 });
  assert.equal(augmentPolicy(config.train, 60000), undefined);
  const set = syntheticImageSet(32);
  const data = new TrainingSet(set);
  const run = async (augment: boolean) => {
    const models = buildModels(config.model, { height: 28, width: 28, channels: 1 }, config.run.seed);
    const trainer = createTrainer(config, models, undefined, augment ? 8000 : 60000);
    const before = models.generator.getWeights().map((w) => w.dataSync().slice());
    const order = data.epochOrder(config.run.seed, 1);
    for (let step = 0; step < 3; step++) {
      const batch = data.batch(order, step, 8);
      await trainer.trainIteration([batch]);
      tf.dispose([batch.images, batch.labels]);
    }
    const after = models.generator.getWeights().map((w) => w.dataSync().slice());
    trainer.dispose();
    models.generator.dispose();
    models.discriminator.dispose();
    return { before, after };
  };
  const start = tf.memory().numTensors;
  const plain = await run(false);
  const augmented = await run(true);
  assert.equal(tf.memory().numTensors, start, 'no tensor outlives the runs');
  assert.deepEqual(plain.before, augmented.before, 'same initial weights');
  assert.notDeepEqual(plain.after, augmented.after, 'augmentation changes what G learns');
  assert.ok(
    augmented.after.some((w, i) => w.some((v, j) => v !== augmented.before[i]![j])),
    'G moved: its gradient passed through the augmentation',
  );
  data.dispose();
});

test('train.augment is refused for the semi-supervised GAN, and out of range', () => {
  assert.throws(
    () => parseConfig('', 'x.yaml', ['model.arch=ssgan', 'ssgan.labels=100', 'train.augment=1']),
    /train\.augment.*ssgan/,
  );
  assert.throws(() => parseConfig('', 'x.yaml', ['train.augment=1.5']), /train\.augment/);
});
