// The webgpu engine's own kernels (src/engine/kernels/webgpu-*.ts) against tfjs on the cpu engine,
// over shapes the models never use: odd sizes, one row, more columns than a workgroup holds, inner
// axes (which keep tfjs's kernels), strides and paddings. Skipped with the reason printed when no
// adapter appears (GAN_REQUIRE_WEBGPU=1 makes that a failure), like test/e2e/webgpu.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer } from '../../src/engine/fused-adam.ts';
import { BATCH_NORM_TRAIN } from '../../src/engine/kernels/batch-norm-train.ts';
import { selectEngine } from '../../src/engine/select.ts';
import { releaseWebgpu } from '../../src/engine/webgpu.ts';
import { assertClose, seeded, size } from '../helpers/kernel-calls.ts';

let unavailable: string | undefined = 'not tried';

function needsEngine(t: TestContext): boolean {
  if (unavailable === undefined) return true;
  t.skip(`webgpu engine unavailable: ${unavailable}`);
  return false;
}

/** Runs `fn` on `backend` and reads every tensor it returns. */
async function on(backend: string, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(fn);
  const values = await Promise.all(out.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(out);
  return values;
}

/** The same computation on webgpu and cpu, every output within `tol` (relative). */
async function assertSameOnBoth(what: string, fn: () => tf.Tensor[], tol = 1e-5): Promise<void> {
  const gpu = await on('webgpu', fn);
  const cpu = await on('cpu', fn);
  assert.equal(gpu.length, cpu.length);
  gpu.forEach((g, i) => assertClose(g, cpu[i]!, tol, `${what}, output ${i}`));
}

const input = (shape: number[], seed: number, scale = 1, shift = 0) =>
  tf.tensor(
    seeded(size(shape), seed).map((v) => v * scale + shift),
    shape,
  );

describe('webgpu kernels against the cpu engine', () => {
  before(async () => {
    try {
      await selectEngine('webgpu');
      unavailable = undefined;
    } catch (err) {
      if (process.env.GAN_REQUIRE_WEBGPU === '1') throw err;
      unavailable = (err as Error).message;
    }
  });
  after(async () => {
    await releaseWebgpu();
  });

  it('Sum and Mean over leading axes, keepDims, all axes, and inner axes', async (t) => {
    if (!needsEngine(t)) return;
    const cases: [number[], number[], boolean][] = [
      [[1, 1], [0], false],
      [[7, 3], [0], false],
      [[300, 5], [0], true],
      [[513, 130], [0], false],
      [[4, 14, 14, 8], [0, 1, 2], false],
      [[4, 14, 14, 8], [2, 0, 1], true],
      [[5, 3], [0, 1], false],
      [[6, 4], [-2], false],
      [[6, 4], [1], false],
      [[3, 5, 7], [1, 2], false],
    ];
    for (const [shape, axes, keepDims] of cases) {
      await assertSameOnBoth(`sum/mean ${shape} over ${axes}${keepDims ? ', keepDims' : ''}`, () => {
        const x = input(shape, shape.length + axes.length);
        return [tf.sum(x, axes, keepDims), tf.mean(x, axes, keepDims)];
      });
    }
  });

  it('batch norm in training: y, statistics, moving averages and every gradient', async (t) => {
    if (!needsEngine(t)) return;
    for (const shape of [
      [64, 784],
      [3, 5, 5, 2],
      [1, 4],
      [100, 130],
      [2, 7, 7, 65],
    ]) {
      const c = shape[shape.length - 1]!;
      const epsilon = 1e-3;
      const momentum = 0.9;
      await assertSameOnBoth(`batch norm ${shape}`, () => {
        const x = input(shape, 1, 2, 0.3);
        const w = input(shape, 2);
        const [scale, offset, movingMean, movingVariance] = [3, 4, 5, 6].map((s) =>
          input([c], s, 0.5, s === 6 ? 1 : 0),
        );
        const axes = shape.slice(0, -1).map((_, i) => i);
        // cpu: tfjs-layers' formulation (moments, batchNorm, the moving update); webgpu: our kernel.
        const ours = tf.getKernel(BATCH_NORM_TRAIN, tf.getBackend()) !== undefined;
        const forward = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor[] => {
          if (ours) {
            const attrs = { epsilon, momentum } as unknown as tf.NamedAttrMap;
            const inputs = { x: xx, scale: g, offset: b, movingMean, movingVariance };
            const [y, stats, m, v] = tf.engine().runKernel(BATCH_NORM_TRAIN, inputs, attrs) as tf.Tensor[];
            const [mean, variance] = tf.split(stats!, 2);
            return [y!, tf.reshape(mean!, [c]), tf.reshape(variance!, [c]), m!, v!];
          }
          const { mean, variance } = tf.moments(xx, axes);
          const move = (m: tf.Tensor, value: tf.Tensor) => tf.sub(m, tf.mul(tf.sub(m, value), 1 - momentum));
          return [
            tf.batchNorm(xx, mean, variance, b, g, epsilon),
            mean,
            variance,
            move(movingMean, mean),
            move(movingVariance, variance),
          ];
        };
        const loss = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(forward(xx, g, b)[0]!, w));
        return [...forward(x, scale!, offset!), ...tf.grads(loss)([x, scale!, offset!])];
      });
    }
  });

  it('Conv2DBackpropFilter over strides and paddings', async (t) => {
    if (!needsEngine(t)) return;
    const cases: [number[], number[], [number, number], 'same' | 'valid'][] = [
      [[2, 9, 9, 3], [4, 4, 3, 5], [2, 2], 'same'],
      [[3, 8, 8, 2], [3, 3, 2, 4], [1, 1], 'valid'],
      [[2, 7, 10, 1], [4, 4, 1, 8], [2, 1], 'same'],
      [[4, 14, 14, 16], [4, 4, 16, 32], [2, 2], 'same'],
    ];
    for (const [xShape, filterShape, strides, pad] of cases) {
      await assertSameOnBoth(`filter gradient x ${xShape}, filter ${filterShape}, strides ${strides}, ${pad}`, () => {
        const x = input(xShape, 7) as tf.Tensor4D;
        const filter = input(filterShape, 8) as tf.Tensor4D;
        const y = tf.conv2d(x, filter, strides, pad);
        const w = input(y.shape, 9);
        return [tf.grad((f) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, strides, pad), w)))(filter)];
      });
    }
  });

  it("LeakyReLU's gradient, and the gradient of that gradient (gradient penalties)", async (t) => {
    if (!needsEngine(t)) return;
    await assertSameOnBoth('leaky relu gradients', () => {
      const x = input([5, 7, 3], 11);
      const w = input([5, 7, 3], 12);
      const grad = (xx: tf.Tensor) => tf.grad((v) => tf.sum(tf.mul(tf.leakyRelu(v, 0.2), w)))(xx);
      const dy = input([5, 7, 3], 13);
      // d/d(dy) of Σ leakyRelu′(x)·dy·w2: the gradient of the gradient function with respect to dy.
      const second = tf.grad((d) => tf.sum(tf.mul(tf.grad((v) => tf.sum(tf.mul(tf.leakyRelu(v, 0.2), d)))(x), w)))(dy);
      return [grad(x), second];
    });
  });

  it("Adam over several weights as one dispatch gives tfjs's Adam", async (t) => {
    if (!needsEngine(t)) return;
    const shapes = [[3, 5], [7], [1], [4, 4, 3, 2]];
    await assertSameOnBoth('adam, 3 steps over 4 weights', () => {
      const fused = tf.getBackend() === 'webgpu';
      const optimizer = fused ? new FusedAdamOptimizer(0.01, 0.5, 0.999) : new tf.AdamOptimizer(0.01, 0.5, 0.999);
      const weights = shapes.map((s, i) => tf.variable(input(s, 20 + i)));
      for (let step = 0; step < 3; step++) {
        optimizer.applyGradients(weights.map((w, i) => ({ name: w.name, tensor: input(w.shape, 40 + 10 * step + i) })));
      }
      const out = weights.map((w) => w.clone());
      optimizer.dispose();
      tf.dispose(weights);
      return out;
    });
  });
});
