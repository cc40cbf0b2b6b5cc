/**
 * The wasm engine's matrix products on the machine's BLAS (src/engine/blas.ts,
 * src/engine/kernels/wasm-blas-matmul.ts): equal to the stock kernels over shapes,
 * transposes, broadcast batches, biases and activations; a dense network's gradients equal the
 * cpu engine's; nothing leaks (GAN_BLAS and gan doctor from the command line: e2e/blas-cli.test.ts).
 * Where no BLAS is installed (Debian: libopenblas0) the kernel tests skip and say so.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, NamedAttrMap } from '@tensorflow/tfjs';
import { loadBlas, type Blas } from '../src/engine/blas.ts';
import { registerKernelPatches } from '../src/engine/kernels/index.ts';
import {
  assertClose,
  callKernelShaped,
  matMulCases,
  onBackend,
  runRegisteredShaped,
  seeded,
  size,
} from './helpers/kernel-calls.ts';

const stockMatMul: KernelConfig = tf.getKernel('BatchMatMul', 'wasm');
const { blas, reason } = loadBlas({});
const skip = blas ? false : `no BLAS here: ${reason}`;

/** sgemm calls so far: each product test checks that the BLAS did the work, not a fallback. */
let sgemmCalls = 0;
const counted: Blas | undefined = blas && {
  description: blas.description,
  get threads() {
    return blas.threads;
  },
  setThreads: (n) => blas.setThreads(n),
  sgemm: (...args) => {
    sgemmCalls += 1;
    blas.sgemm(...args);
  },
};

/** Runs `fn` and asserts it made `expected` sgemm calls. */
function onBlas<T>(expected: number, fn: () => T): T {
  const before = sgemmCalls;
  const out = fn();
  assert.equal(sgemmCalls - before, expected, 'sgemm calls');
  return out;
}

describe('matrix products on the BLAS', { skip }, () => {
  before(async () => {
    blas!.setThreads(2);
    const names = await onBackend('wasm', () => registerKernelPatches('wasm', counted));
    assert.ok(names.includes('BatchMatMul') && names.includes('_FusedMatMul'), names.join(', '));
  });

  const shapes = [
    ...matMulCases(1, 1, 1),
    ...matMulCases(7, 5, 3),
    ...matMulCases(13, 28, 14),
    ...matMulCases(100, 784, 1000), // D's first layer at batch 100
    ...matMulCases(6, 4, 9, [1], [1]),
    ...matMulCases(4, 3, 5, [3], [3]),
    ...matMulCases(4, 3, 5, [1], [3]), // one side broadcast over the other's batch
    ...matMulCases(4, 3, 5, [3], [1]),
  ];
  for (const [i, c] of shapes.entries()) {
    const operand = (shape: number[], transposed: boolean) => `${shape.join('×')}${transposed ? 'ᵀ' : ''}`;
    const name = `BatchMatMul a ${operand(c.a, c.transposeA)} · b ${operand(c.b, c.transposeB)}`;
    test(name, async () => {
      await onBackend('wasm', () => {
        const a = tf.tensor(seeded(size(c.a), 10 + i), c.a);
        const b = tf.tensor(seeded(size(c.b), 500 + i), c.b);
        const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
        const batch = Math.max(c.a.length === 3 ? c.a[0]! : 1, c.b.length === 3 ? c.b[0]! : 1);
        try {
          const ours = onBlas(batch, () => runRegisteredShaped('BatchMatMul', { a, b }, attrs));
          const stock = callKernelShaped(stockMatMul, { a, b }, attrs);
          assert.deepEqual(ours.shape, stock.shape);
          assertClose(ours.values, stock.values, 1e-5, 'BLAS vs stock wasm');
        } finally {
          tf.dispose([a, b]);
        }
      });
    });
  }

  const fused: { m: number; k: number; n: number; bias: boolean; attrs: Record<string, unknown> }[] = [
    { m: 100, k: 784, n: 1000, bias: true, attrs: {} },
    { m: 100, k: 500, n: 784, bias: false, attrs: {} },
    { m: 9, k: 30, n: 17, bias: true, attrs: { activation: 'relu' } },
    { m: 9, k: 30, n: 17, bias: true, attrs: { activation: 'leakyrelu', leakyreluAlpha: 0.2 } },
    { m: 9, k: 30, n: 17, bias: false, attrs: { activation: 'sigmoid' } },
    { m: 9, k: 30, n: 17, bias: true, attrs: { activation: 'elu' } },
    { m: 9, k: 30, n: 17, bias: true, attrs: { activation: 'relu6' } },
    { m: 9, k: 30, n: 17, bias: true, attrs: { transposeA: true } },
    { m: 9, k: 30, n: 17, bias: true, attrs: { transposeB: true, activation: 'relu' } },
  ];
  for (const [i, c] of fused.entries()) {
    const label = `_FusedMatMul ${c.m}×${c.k}·${c.k}×${c.n}${c.bias ? ' + bias' : ''} ${JSON.stringify(c.attrs)}`;
    test(label, async () => {
      const attrs = {
        transposeA: false,
        transposeB: false,
        activation: 'linear',
        leakyreluAlpha: 0,
        ...c.attrs,
      } as unknown as NamedAttrMap;
      const aShape = attrs.transposeA ? [1, c.k, c.m] : [1, c.m, c.k];
      const bShape = attrs.transposeB ? [1, c.n, c.k] : [1, c.k, c.n];
      // The reference is the cpu engine's kernel: the stock wasm one returns wrong values for
      // transposed operands once other products have run (XNNPACK's operator cache).
      const run = (backend: string) =>
        onBackend(backend, () => {
          const a = tf.tensor(seeded(size(aShape), 900 + i), aShape);
          const b = tf.tensor(seeded(size(bShape), 950 + i), bShape);
          const bias = c.bias ? tf.tensor(seeded(c.n, 990 + i), [c.n]) : undefined;
          try {
            const run = () => runRegisteredShaped('_FusedMatMul', { a, b, ...(bias ? { bias } : {}) }, attrs);
            return backend === 'wasm' ? onBlas(1, run) : run();
          } finally {
            tf.dispose([a, b, ...(bias ? [bias] : [])]);
          }
        });
      const [ours, cpu] = [await run('wasm'), await run('cpu')];
      assert.deepEqual(ours.shape, cpu.shape);
      assertClose(ours.values, cpu.values, 1e-5, label);
    });
  }

  test('a product on two threads repeats bit for bit', async () => {
    await onBackend('wasm', () => {
      const a = tf.tensor(seeded(300 * 784, 60), [300, 784]);
      const b = tf.tensor(seeded(784 * 1000, 61), [784, 1000]);
      try {
        const run = () =>
          onBlas(1, () => runRegisteredShaped('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }));
        assert.equal(blas!.threads, 2);
        assert.deepEqual(run().values, run().values);
      } finally {
        tf.dispose([a, b]);
      }
    });
  });

  test("a dense network's loss gradients equal the cpu engine's", async () => {
    const widths = [784, 300, 100, 10];
    const weights = widths.slice(1).map((n, i) => seeded(widths[i]! * n, 70 + i));
    const x = seeded(32 * 784, 80);
    const gradients = async (backend: string) =>
      onBackend(backend, () => {
        const vars = weights.map((w, i) => tf.variable(tf.tensor2d(w, [widths[i]!, widths[i + 1]!])));
        const input = tf.tensor2d(x, [32, 784]);
        const { grads } = tf.variableGrads(() =>
          tf.tidy(() => {
            let h: tf.Tensor2D = input;
            for (const [i, v] of vars.entries()) {
              const activation = i < vars.length - 1 ? 'relu' : 'linear';
              h = tf.fused.matMul({ a: h, b: v as tf.Tensor2D, activation }) as tf.Tensor2D;
            }
            return tf.mean(tf.square(h)) as tf.Scalar;
          }),
        );
        const out = vars.map((v) => grads[v.name]!.dataSync().slice());
        tf.dispose([input, ...vars, ...Object.values(grads)]);
        return out;
      });
    const [ours, cpu] = [await gradients('wasm'), await gradients('cpu')];
    for (const [i, g] of ours.entries()) assertClose(g, cpu[i]!, 1e-4, `layer ${i + 1}'s weight gradient`);
  });

  test('no tensors or heap buffers leak across repeated products', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const a = tf.tensor(seeded(64 * 200, 1), [64, 200]) as tf.Tensor2D;
      const b = tf.tensor(seeded(200 * 50, 2), [200, 50]) as tf.Tensor2D;
      const bias = tf.tensor1d(seeded(50, 3));
      const counts = [1, 2, 3, 4].map(() => {
        onBlas(3, () =>
          tf.tidy(() => {
            tf.matMul(a.transpose(), b, true, false);
            tf.matMul(a, b.transpose(), false, true);
            tf.fused.matMul({ a, b, bias, activation: 'relu' });
          }),
        );
        return [tf.memory().numTensors, backend.numDataIds()].join('/');
      });
      assert.ok(
        counts.every((c) => c === counts[0]),
        `tensors/buffers after each round: ${counts.join(', ')}`,
      );
      tf.dispose([a, b, bias]);
    });
  });
});
