// FusedAdamOptimizer must take exactly the steps tfjs's AdamOptimizer takes (bit for bit), keep
// its state where tfjs keeps it (checkpoints save and restore it), and leak nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectEngine } from '../src/engine/select.ts';
import { ADAM_UPDATE } from '../src/engine/kernels/adam-update.ts';
import { FusedAdamOptimizer } from '../src/engine/fused-adam.ts';

// Odd sizes exercise the wasm SIMD loop's scalar tail (35, 33, 1 floats) as well as its body.
const SHAPES = [[7, 5], [33], [3, 4, 2, 6], [1], [130, 7]];

/** Five Adam steps on fixed pseudo-random gradients; returns weights, moments and β powers. */
async function fiveSteps(optimizer: tf.AdamOptimizer, seed: number): Promise<number[][]> {
  const vars = SHAPES.map((s, i) =>
    tf.variable(tf.randomNormal(s, 0, 1, 'float32', seed + i), true, `w${seed}_${i}_${optimizer.constructor.name}`),
  );
  for (let step = 0; step < 5; step++) {
    const grads = vars.map((v, i) => ({
      name: v.name,
      tensor: tf.randomNormal(v.shape, 0, step + 1, 'float32', 1000 + 100 * step + i),
    }));
    optimizer.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
  }
  const state = await optimizer.getWeights();
  const out = [...vars.map((v) => Array.from(v.dataSync())), ...state.map((w) => Array.from(w.tensor.dataSync()))];
  tf.dispose([...vars, ...state.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor)]);
  return out;
}

for (const engine of ['cpu', 'wasm'] as const) {
  test(`${engine}: bit-identical to tfjs's Adam (weights, moments, iterations), no leaks`, async () => {
    await selectEngine(engine);
    assert.ok(tf.getKernel(ADAM_UPDATE, engine), 'the fused kernel is registered');
    const stock = tf.train.adam(0.01, 0.5, 0.999);
    const fused = new FusedAdamOptimizer(0.01, 0.5, 0.999);
    const expected = await fiveSteps(stock, 1);
    const kernels = (
      await tf.profile(async () => {
        await fiveSteps(new FusedAdamOptimizer(0.01, 0.5, 0.999), 2);
      })
    ).kernels.map((k) => k.name);
    // The update must really run as the fused kernel (one per variable and step), not fall back
    // to tfjs's own sequence, which would pass the comparison below just as well.
    assert.equal(kernels.filter((k) => k === ADAM_UPDATE).length, 5 * SHAPES.length);
    const actual = await fiveSteps(fused, 1);
    assert.equal(actual.length, expected.length);
    expected.forEach((values, i) => assert.deepEqual(actual[i], values, `tensor ${i}`));
    const accBeta = (o: tf.Optimizer) => (o as unknown as { accBeta1: tf.Variable }).accBeta1.dataSync()[0];
    assert.equal(accBeta(fused), accBeta(stock));
    // Moments live by position (as in tfjs): the same count of variables reuses them, so
    // further steps must leave the tensor count flat.
    const vars = SHAPES.map((s, i) => tf.variable(tf.zeros(s), true, `again_${engine}_${i}`));
    const steady = tf.memory().numTensors;
    for (let k = 0; k < 5; k++) {
      const grads = vars.map((v) => ({ name: v.name, tensor: tf.onesLike(v) }));
      fused.applyGradients(grads);
      tf.dispose(grads.map((g) => g.tensor));
    }
    assert.equal(tf.memory().numTensors, steady, 'flat across steps');
    tf.dispose(vars);
    stock.dispose();
    fused.dispose();
  });
}
