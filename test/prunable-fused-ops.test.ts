// The G step back-propagates through D only to reach G: with tfjs's fused conv/matMul
// gradients it also paid for every D weight gradient. src/engine/prunable-fused-ops.ts runs
// linear fused calls as the fused kernels with one gradient closure per input; these tests
// check the gradients are unchanged, that the unneeded kernels are really gone, and that the
// forward pass is the fused kernels' with and without a tape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { parseConfig } from '../src/config.ts';
import { selectEngine } from '../src/engine/select.ts';
import { restoreFusedOps, usePrunableFusedOps } from '../src/engine/prunable-fused-ops.ts';
import { buildModels, type GanModels } from '../src/models/index.ts';
import { relativeError } from './helpers/compare.ts';

const SHAPE = { height: 28, width: 28, channels: 1 };

function models(arch: 'dcgan' | 'mlp'): GanModels {
  const widths =
    arch === 'mlp'
      ? ['model.g_widths=[32, 64]', 'model.d_widths=[64, 32]']
      : ['model.g_widths=[16, 8]', 'model.d_widths=[8, 16]'];
  const config = parseConfig('', 'test.yaml', [`model.arch=${arch}`, 'model.latent_dim=16', ...widths]);
  return buildModels(config.model, SHAPE, 7);
}

/** The G step's loss: D's mean logit on G's fakes; gradients for G's weights only. */
function generatorStep(m: GanModels): { grads: Float32Array[]; kernels: Promise<string[]> } {
  const z = tf.randomNormal([8, m.latentDim], 0, 1, 'float32', 3);
  const gVars = m.generator.trainableWeights.map((w) => w.read() as tf.Variable);
  const run = () =>
    tf.variableGrads(
      () =>
        tf.mean(
          m.discriminator.apply(m.generator.apply(z, { training: true }), { training: true }) as tf.Tensor,
        ) as tf.Scalar,
      gVars,
    );
  const { value, grads } = run();
  const out = gVars.map((v) => grads[v.name]!.dataSync() as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  const kernels = tf
    .profile(() => {
      const r = run();
      tf.dispose([r.value, ...Object.values(r.grads)]);
    })
    .then((info) => info.kernels.map((k) => k.name));
  z.dispose();
  return { grads: out, kernels };
}

const count = (names: string[], kernel: string): number => names.filter((n) => n === kernel).length;

for (const engine of ['cpu', 'wasm'] as const) {
  test(`G step on ${engine}: same G gradients as tfjs's fused ops, without D's weight gradients`, async () => {
    await selectEngine(engine);
    const m = models('dcgan');
    try {
      restoreFusedOps();
      const fused = generatorStep(m);
      const fusedKernels = await fused.kernels;
      usePrunableFusedOps();
      const prunable = generatorStep(m);
      const prunableKernels = await prunable.kernels;
      fused.grads.forEach((g, i) =>
        assert.ok(
          relativeError(prunable.grads[i]!, g) < 1e-5,
          `G weight ${i}: relative diff ${relativeError(prunable.grads[i]!, g)}`,
        ),
      );
      // G's two transposed convs need their filter gradients; D's two convs' are not needed.
      assert.equal(count(fusedKernels, 'Conv2DBackpropFilter'), 4, 'fused: G 2 + D 2 filter gradients');
      assert.equal(count(prunableKernels, 'Conv2DBackpropFilter'), 2, "prunable: only G's 2 filter gradients");
      // D's convs run fused under the tape too (no separate bias Add).
      assert.equal(count(prunableKernels, 'FusedConv2D'), 2);
      assert.equal(count(prunableKernels, 'Conv2D'), count(fusedKernels, 'Conv2D'));
    } finally {
      usePrunableFusedOps();
      m.generator.dispose();
      m.discriminator.dispose();
    }
  });
}

test("D step on the MLP: no input gradient for D's first layer (the images are no variable)", async () => {
  await selectEngine('wasm');
  const m = models('mlp');
  const images = tf.randomUniform([8, 28, 28, 1], -1, 1, 'float32', 5);
  const dVars = m.discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
  const matMuls = async (): Promise<number> => {
    const info = await tf.profile(() => {
      const r = tf.variableGrads(
        () => tf.mean(m.discriminator.apply(images, { training: true }) as tf.Tensor) as tf.Scalar,
        dVars,
      );
      tf.dispose([r.value, ...Object.values(r.grads)]);
    });
    return info.kernels.filter((k) => k.name === 'BatchMatMul' || k.name === '_FusedMatMul').length;
  };
  try {
    restoreFusedOps();
    const fused = await matMuls();
    usePrunableFusedOps();
    const prunable = await matMuls();
    // 3 dense layers: 3 forward products; backward needs 3 dW and 2 dX (not the first layer's).
    assert.equal(prunable, 3 + 3 + 2);
    assert.equal(fused, 3 + 3 + 3);
  } finally {
    usePrunableFusedOps();
    images.dispose();
  }
});

test('the forward pass runs the fused kernels with and without a tape, bit for bit', async () => {
  await selectEngine('wasm');
  usePrunableFusedOps();
  for (const arch of ['dcgan', 'mlp'] as const) {
    const m = models(arch);
    const z = tf.randomNormal([4, m.latentDim], 0, 1, 'float32', 11);
    const forward = () =>
      m.discriminator.apply(m.generator.apply(z, { training: false }), { training: false }) as tf.Tensor;
    const plain = forward();
    const dVars = m.discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
    let taped: Float32Array | undefined;
    const info = await tf.profile(() => {
      const r = tf.variableGrads(() => {
        const y = forward();
        taped = y.dataSync() as Float32Array;
        return tf.mean(y) as tf.Scalar;
      }, dVars);
      tf.dispose([r.value, ...Object.values(r.grads)]);
    });
    const names = info.kernels.map((k) => k.name);
    // Every Dense and Conv2D layer's forward product is one fused kernel under the tape.
    const layers = (cls: string) =>
      [...m.generator.layers, ...m.discriminator.layers].filter((l) => l.getClassName() === cls).length;
    assert.equal(count(names, '_FusedMatMul'), layers('Dense'), `${arch}: kernels ${names.join(', ')}`);
    assert.equal(count(names, 'FusedConv2D'), layers('Conv2D'), `${arch}: kernels ${names.join(', ')}`);
    assert.equal(count(names, 'Conv2D'), 0);
    assert.deepEqual(taped, plain.dataSync());
    tf.dispose([plain, z]);
    m.generator.dispose();
    m.discriminator.dispose();
  }
});
