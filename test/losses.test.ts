import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { parseConfig } from '../src/config.ts';
import { selectEngine } from '../src/engine/select.ts';
import { hinge, leastSquares, nonSaturatingBce, wasserstein } from '../src/losses.ts';
import { buildModels } from '../src/models/index.ts';
import { gradientPenalty, r1Penalty, type Critic } from '../src/penalties.ts';
import { ModelEma } from '../src/train/ema.ts';

const REAL = [2, -1];
const FAKE = [0.5, -3];
const value = (t: tf.Scalar) => t.dataSync()[0]!;
const softplus = (x: number) => Math.log1p(Math.exp(x));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('objectives match hand-computed values', async () => {
  await selectEngine('cpu');
  const real = tf.tensor1d(REAL);
  const fake = tf.tensor1d(FAKE);
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);
  close(
    value(nonSaturatingBce.discriminatorLoss(real, fake)),
    mean(REAL.map((r) => softplus(-r))) + mean(FAKE.map(softplus)),
    'bce D',
  );
  close(value(nonSaturatingBce.generatorLoss(fake)), mean(FAKE.map((f) => softplus(-f))), 'bce G');
  close(
    value(hinge.discriminatorLoss(real, fake)),
    mean(REAL.map((r) => Math.max(0, 1 - r))) + mean(FAKE.map((f) => Math.max(0, 1 + f))),
    'hinge D',
  );
  close(value(hinge.generatorLoss(fake)), -mean(FAKE), 'hinge G');
  close(
    value(leastSquares.discriminatorLoss(real, fake)),
    0.5 * (mean(REAL.map((r) => (r - 1) ** 2)) + mean(FAKE.map((f) => f ** 2))),
    'lsgan D',
  );
  close(value(leastSquares.generatorLoss(fake)), 0.5 * mean(FAKE.map((f) => (f - 1) ** 2)), 'lsgan G');
  close(value(wasserstein.discriminatorLoss(real, fake)), mean(FAKE) - mean(REAL), 'wgan D');
  close(value(wasserstein.generatorLoss(fake)), -mean(FAKE), 'wgan G');
});

test('penalties on a linear critic have their closed form', async () => {
  await selectEngine('cpu');
  // D(x) = sum(w * x): ∇D = w everywhere, so GP = (‖w‖ - 1)² and R1 = ½‖w‖².
  const w = tf.fill([1, 4, 4, 1], 0.5);
  const critic: Critic = (x) => tf.sum(tf.mul(x, w), [1, 2, 3]);
  const real = tf.randomNormal([3, 4, 4, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const fake = tf.randomNormal([3, 4, 4, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
  const norm = Math.sqrt(16 * 0.25);
  assert.ok(Math.abs(value(gradientPenalty(critic, real, fake, 3)) - (norm - 1) ** 2) < 1e-5);
  assert.ok(Math.abs(value(r1Penalty(critic, real)) - 0.5 * norm ** 2) < 1e-5);
});

for (const engine of ['cpu', 'wasm'] as const) {
  test(`the gradient of the WGAN-GP and R1 penalties matches finite differences (conv critic, ${engine})`, async () => {
    await selectEngine(engine);
    const config = parseConfig('', 'x.yaml', ['model.g_widths=[4, 4]', 'model.d_widths=[4, 8]', 'model.latent_dim=4']);
    const { discriminator } = buildModels(config.model, { height: 8, width: 8, channels: 1 }, 11);
    // Larger weights than N(0, 0.02) so the penalty's gradient is far from zero.
    discriminator.setWeights(
      discriminator.getWeights().map((t, i) => tf.randomNormal(t.shape, 0, 0.5, 'float32', 100 + i)),
    );
    const critic: Critic = (x) => discriminator.apply(x) as tf.Tensor;
    const real = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const fake = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 6) as tf.Tensor4D;
    for (const [name, penalty] of [
      ['gp', () => gradientPenalty(critic, real, fake, 7)],
      ['r1', () => r1Penalty(critic, real)],
    ] as const) {
      const kernel = discriminator.getLayer('d_down1').getWeights()[0]! as tf.Tensor;
      const variable = discriminator.getLayer('d_down1').trainableWeights[0]!.read() as tf.Variable;
      const { grads } = tf.variableGrads(penalty, [variable]);
      const analytic = grads[variable.name]!.dataSync();
      const base = kernel.dataSync().slice();
      // The input gradient of a LeakyReLU network jumps where a pre-activation changes sign, so
      // a finite difference across such a kink is meaningless: entries whose left and right
      // differences disagree are skipped, and enough others must remain.
      const h = 2e-3;
      let checked = 0;
      for (let index = 0; index < base.length && checked < 6; index += 7) {
        const probe = (delta: number) => {
          const data = base.slice();
          data[index]! += delta;
          variable.assign(tf.tensor(data, kernel.shape));
          return value(penalty());
        };
        const [down, mid, up] = [probe(-h), probe(0), probe(h)];
        variable.assign(tf.tensor(base, kernel.shape));
        const left = (mid - down) / h;
        const right = (up - mid) / h;
        const scale = Math.max(1e-2, Math.abs(left), Math.abs(right));
        if (Math.abs(left - right) / scale > 0.05) continue;
        const numeric = (up - down) / (2 * h);
        assert.ok(
          Math.abs(analytic[index]! - numeric) / scale < 0.03,
          `${name} dP/dw[${index}]: analytic ${analytic[index]} vs finite difference ${numeric}`,
        );
        if (Math.abs(numeric) > 1e-2) checked++;
      }
      assert.ok(checked >= 4, `${name}: only ${checked} non-trivial, kink-free gradient entries were compared`);
    }
  });
}

test('EMA: warm-up decay and the averaging step', async () => {
  await selectEngine('cpu');
  assert.equal(ModelEma.effectiveDecay(0.999, 0), 0.1);
  assert.equal(ModelEma.effectiveDecay(0.999, 90), 0.91);
  assert.equal(ModelEma.effectiveDecay(0.999, 1e6), 0.999);
  const make = (v: number) =>
    tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [1],
          units: 1,
          kernelInitializer: tf.initializers.constant({ value: v }),
          biasInitializer: 'zeros',
        }),
      ],
    });
  const source = make(1);
  const ema = ModelEma.startingAt(make(7), source, 0.5);
  assert.equal(ema.model.getWeights()[0]!.dataSync()[0], 1, 'starts at the generator weights');
  source.setWeights([tf.tensor2d([[3]]), tf.tensor1d([0])]);
  ema.update(1e6); // decay 0.5: 0.5 * 1 + 0.5 * 3
  assert.equal(ema.model.getWeights()[0]!.dataSync()[0], 2);
});

for (const engine of ['cpu', 'wasm'] as const) {
  test(`EMA on ${engine}: one GanEmaUpdate per weight, bit-identical to tfjs's multiply-add`, async () => {
    const { updates } = await selectEngine(engine);
    // Odd sizes exercise the wasm SIMD loop's scalar tail; several steps take the decay through warm-up.
    const make = () =>
      tf.sequential({ layers: [tf.layers.dense({ inputShape: [7], units: 13 }), tf.layers.dense({ units: 3 })] });
    const source = make();
    const fused = ModelEma.startingAt(make(), source, 0.999, updates.emaStep);
    const reference = fused.model.getWeights().map((w) => w.clone());
    const kernels: string[] = [];
    for (let step = 0; step < 4; step++) {
      source.setWeights(source.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 1, 'float32', 10 * step + i)));
      const d = ModelEma.effectiveDecay(0.999, step);
      source.getWeights().forEach((w, i) => {
        const next = tf.add(tf.mul(reference[i]!, tf.scalar(d)), tf.mul(w, tf.scalar(1 - d)));
        reference[i]!.dispose();
        reference[i] = next;
      });
      const info = await tf.profile(() => fused.update(step));
      kernels.push(...info.kernels.map((k) => k.name));
    }
    assert.equal(kernels.filter((k) => k === 'GanEmaUpdate').length, 4 * 4, 'one kernel per weight and step');
    fused.model.getWeights().forEach((w, i) => assert.deepEqual(w.dataSync(), reference[i]!.dataSync(), `weight ${i}`));
  });
}
