// The whole engine (patched kernels, prunable fused ops, LeakyRelu gradient, threads) against
// stock tfjs: full G and D gradients of a real (narrow) DCGAN and MLP pair, patched wasm vs
// the stock cpu engine with nothing of ours installed. This file must run in a fresh process:
// the stock reference is computed before selectEngine installs anything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { parseConfig } from '../src/config.ts';
import { selectEngine } from '../src/engine/select.ts';
import { buildModels, type GanModels } from '../src/models/index.ts';
import { relativeError } from './helpers/compare.ts';

const SHAPE = { height: 28, width: 28, channels: 1 };

function build(arch: 'dcgan' | 'mlp', conditional: boolean, extras = false): GanModels {
  const widths =
    arch === 'mlp'
      ? ['model.g_widths=[32, 64]', 'model.d_widths=[64, 32]']
      : ['model.g_widths=[16, 8]', 'model.d_widths=[8, 16]'];
  const config = parseConfig('', 'test.yaml', [
    `model.arch=${arch}`,
    'model.latent_dim=16',
    `model.conditional=${conditional}`,
    `model.class_norm=${extras}`,
    `model.minibatch_std=${extras}`,
    ...widths,
  ]);
  return buildModels(config.model, SHAPE, 11);
}

/** Non-saturating GAN gradients: D's on a real and a fake batch, G's through D. */
function gradients(m: GanModels): Float32Array[] {
  return tf.tidy(() => {
    const n = 6;
    const z = tf.randomNormal([n, m.latentDim], 0, 1, 'float32', 21);
    const real = tf.randomUniform([n, 28, 28, 1], -1, 1, 'float32', 22);
    const labels = m.classes > 0 ? tf.oneHot(tf.tensor1d([0, 3, 5, 7, 9, 2], 'int32'), m.classes).toFloat() : undefined;
    const G = (noise: tf.Tensor) =>
      m.generator.apply(labels ? [noise, labels] : noise, { training: true }) as tf.Tensor;
    const D = (x: tf.Tensor) => m.discriminator.apply(labels ? [x, labels] : x, { training: true }) as tf.Tensor;
    const fake = tf.keep(G(z));
    const dVars = m.discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
    const gVars = m.generator.trainableWeights.map((w) => w.read() as tf.Variable);
    const d = tf.variableGrads(
      () => tf.add(tf.mean(tf.softplus(tf.neg(D(real)))), tf.mean(tf.softplus(D(fake)))) as tf.Scalar,
      dVars,
    );
    const g = tf.variableGrads(() => tf.mean(tf.softplus(tf.neg(D(G(z))))) as tf.Scalar, gVars);
    return [...dVars.map((v) => d.grads[v.name]!), ...gVars.map((v) => g.grads[v.name]!)].map(
      (t) => t.dataSync() as Float32Array,
    );
  });
}

const CASES = [
  ['dcgan', false, false],
  ['dcgan', true, false],
  ['dcgan', true, true],
  ['mlp', false, false],
] as const;

test('full G and D gradients: patched wasm (all of src/engine) vs stock cpu tfjs', async () => {
  assert.ok(await tf.setBackend('cpu'));
  const stock = CASES.map(([arch, cond, extras]) => gradients(build(arch, cond, extras)));
  const engine = await selectEngine('wasm');
  assert.ok(engine.patchedKernels.length > 0);
  CASES.forEach(([arch, cond, extras], c) => {
    const ours = gradients(build(arch, cond, extras));
    assert.equal(ours.length, stock[c]!.length);
    ours.forEach((g, i) => {
      const err = relativeError(g, stock[c]![i]!);
      const kind = `${arch}${cond ? ' conditional' : ''}${extras ? ' class norm, minibatch std' : ''}`;
      assert.ok(err < 1e-4, `${kind} gradient ${i}: relative error ${err}`);
    });
  });
});
