/**
 * Our SIMD module (src/engine/simd/kernels.wat) and the wasm kernels built on it:
 * - the committed binary is the assembly of the committed source;
 * - both binaries (plain and shared memory) compute what a float32 reference computes, bit for
 *   bit, on a memory of their own;
 * - the Sum, Mean and Transpose patches equal the stock wasm kernels bit for bit where they
 *   apply, and hand everything else to them.
 * (GanAdamUpdate on wasm is compared with tfjs's Adam in fused-adam.test.ts.)
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, NamedAttrMap } from '@tensorflow/tfjs';
import { registerKernelPatches } from '../src/engine/kernels/index.js';
import { registerAddNormalNoiseGradient, registerScaleShiftGradient } from '../src/engine/gradients.js';
import { engineUpdates } from '../src/engine/updates.js';
import { addNormalNoise } from '../src/ssgan/model.js';
import { stockScaleShift } from '../src/ssgan/weight-norm.js';
import { SIMD_WASM_PLAIN, SIMD_WASM_SHARED } from '../src/engine/simd/kernels-binary.js';
import type { SimdKernels } from '../src/engine/simd/simd-kernels.js';
import { reducePermutation } from '../src/engine/kernels/wasm-transpose.js';
import { cachedTransposeCount } from '../src/engine/kernels/wasm-fused-matmul.js';
import { assembleSimd, BINARY_TS_PATH } from '../scripts/simd-assemble.ts';
import {
  assertClose,
  assertIdenticalToStock,
  callKernelShaped,
  onBackend,
  runRegisteredShaped,
  seeded,
  size,
} from './helpers/kernel-calls.ts';

const stockWasmSum: KernelConfig = tf.getKernel('Sum', 'wasm');
const stockWasmMean: KernelConfig = tf.getKernel('Mean', 'wasm');

test('the committed SIMD binary is the assembly of kernels.wat (run `npm run build:simd`)', async () => {
  assert.equal(readFileSync(BINARY_TS_PATH, 'utf8'), await assembleSimd());
});

// ---------------------------------------------------------------- the module on its own memory

const f = Math.fround;

/** Float32 reference of kernels.wat's adam (the stock tfjs sequence, each op rounded). */
function adamReference(
  x: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  k: number[],
): Float32Array[] {
  const [b1, omb1, b2, omb2, c1, c2, eps, neglr] = k as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const xo = new Float32Array(x.length);
  const mo = new Float32Array(x.length);
  const vo = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    mo[i] = f(f(m[i]! * b1) + f(g[i]! * omb1));
    vo[i] = f(f(v[i]! * b2) + f(f(g[i]! * g[i]!) * omb2));
    xo[i] = f(f(f(f(mo[i]! / c1) / f(f(Math.sqrt(f(vo[i]! / c2))) + eps)) * neglr) + x[i]!);
  }
  return [xo, mo, vo];
}

/** Float32 reference of colsum: sequential per-column sums from +0, then ÷ divisor. */
function colsumReference(src: Float32Array, rows: number, cols: number, divisor: number): Float32Array {
  const out = new Float32Array(cols);
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s = f(s + src[r * cols + c]!);
    out[c] = f(s / divisor);
  }
  return out;
}

for (const [kind, base64] of [
  ['plain', SIMD_WASM_PLAIN],
  ['shared', SIMD_WASM_SHARED],
] as const) {
  describe(`SIMD module (${kind} memory)`, () => {
    const memory = new WebAssembly.Memory(
      kind === 'shared' ? { initial: 64, maximum: 65536, shared: true } : { initial: 64 },
    );
    const simd = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(base64, 'base64')), { env: { memory } })
      .exports as unknown as SimdKernels;
    const GUARD = 5; // floats of sentinel before and after every array
    const SENTINEL = -7777.5;
    let guards: Array<[number, number]> = [];
    /**
     * Places arrays at 4-byte-aligned (not 16-byte-aligned) offsets, as malloc may, each between
     * two guards of sentinel values that `assertGuardsIntact` checks: a kernel must not write
     * outside its output (on the real heap that is malloc's bookkeeping or another tensor).
     */
    const place = (arrays: Float32Array[]): number[] => {
      let offset = 1028;
      guards = [];
      return arrays.map((a) => {
        new Float32Array(memory.buffer, offset, GUARD).fill(SENTINEL);
        guards.push([offset, GUARD]);
        offset += 4 * GUARD;
        new Float32Array(memory.buffer, offset, a.length).set(a);
        const at = offset;
        offset += 4 * a.length;
        new Float32Array(memory.buffer, offset, GUARD).fill(SENTINEL);
        guards.push([offset, GUARD]);
        offset += 4 * GUARD;
        return at;
      });
    };
    const read = (at: number, n: number) => new Float32Array(memory.buffer, at, n).slice();
    const assertGuardsIntact = () => {
      for (const [at, n] of guards)
        assert.ok(
          read(at, n).every((v) => v === SENTINEL),
          `a write outside the arrays, near byte ${at}`,
        );
    };

    for (const n of [1, 3, 4, 5, 17, 1000]) {
      test(`adam over ${n} floats equals the float32 reference bit for bit`, () => {
        const x = seeded(n, n);
        const m = seeded(n, n + 1).map((e) => e * 0.1);
        const v = seeded(n, n + 2).map((e) => e * e * 0.01);
        const g = seeded(n, n + 3);
        g[0] = 0; // zero gradient with zero moments must not divide 0 by 0
        if (n > 1) {
          m[1] = 0;
          v[1] = 0;
        }
        const k = [0.5, 0.5, 0.999, f(1 - 0.999), f(1 - 0.125), f(1 - 0.997), f(1e-7), f(-2e-4)].map(f);
        const [px, pm, pv, pg, pxo, pmo, pvo] = place([
          x,
          m,
          v,
          g,
          new Float32Array(n),
          new Float32Array(n),
          new Float32Array(n),
        ]) as number[] & { length: 7 };
        simd.adam(
          px!,
          pm!,
          pv!,
          pg!,
          pxo!,
          pmo!,
          pvo!,
          n,
          ...(k as [number, number, number, number, number, number, number, number]),
        );
        const [xo, mo, vo] = adamReference(x, m, v, g, k);
        assertGuardsIntact();
        assert.deepEqual(read(pmo!, n), mo);
        assert.deepEqual(read(pvo!, n), vo);
        assert.deepEqual(read(pxo!, n), xo);
      });
    }

    for (const [rows, cols, srcPad, dstPad] of [
      [1, 1, 0, 0],
      [4, 4, 0, 0],
      [8, 8, 3, 1],
      [9, 17, 0, 2],
      [33, 8, 5, 0],
      [64, 100, 0, 0],
    ] as const) {
      test(`transpose ${rows}×${cols} (row strides +${srcPad}, +${dstPad}) moves every value`, () => {
        const srcStride = cols + srcPad;
        const dstStride = rows + dstPad;
        const src = seeded(rows * srcStride, rows + cols);
        const sentinel = -12345;
        const [ps, pd] = place([src, new Float32Array(cols * dstStride).fill(sentinel)]) as [number, number];
        simd.transpose(ps, pd, rows, cols, srcStride, dstStride);
        assertGuardsIntact();
        const dst = read(pd, cols * dstStride);
        for (let j = 0; j < cols; j++) {
          for (let i = 0; i < dstStride; i++) {
            assert.equal(dst[j * dstStride + i], i < rows ? src[i * srcStride + j] : sentinel, `dst[${j}][${i}]`);
          }
        }
      });
    }

    for (const [rows, cols] of [
      [1, 1],
      [3, 1],
      [5, 3],
      [7, 4],
      [9, 16],
      [4, 21],
      [37, 35],
      [300, 64],
    ] as const) {
      for (const divisor of [1, rows]) {
        test(`colsum ${rows}×${cols} ÷ ${divisor} equals the sequential float32 reference bit for bit`, () => {
          const src = seeded(rows * cols, rows * 100 + cols).map((e) => e * 1000);
          src[0] = -0; // 0 + (−0) is +0 in the stock kernel: the sum must start from +0
          const [ps, pd] = place([src, new Float32Array(cols)]) as [number, number];
          simd.colsum(ps, pd, rows, cols, f(divisor));
          assertGuardsIntact();
          assert.deepEqual(read(pd, cols), colsumReference(src, rows, cols, f(divisor)));
        });
      }
    }

    test('blend, addRows, copyRuns and gatherRows write exactly their outputs', () => {
      const n = 23;
      const a = seeded(n, 1);
      const b = seeded(n, 2);
      const [pa, pb, po] = place([a, b, new Float32Array(n)]) as [number, number, number];
      simd.blend(pa, pb, po, n, f(0.9), f(0.1));
      assertGuardsIntact();
      assert.deepEqual(
        read(po, n),
        a.map((v, i) => f(f(v * f(0.9)) + f(b[i]! * f(0.1)))),
      );

      const rows = 3;
      const cols = 7;
      const x = seeded(rows * cols, 3);
      const bias = seeded(cols, 4);
      const [px, pbias] = place([x, bias]) as [number, number];
      simd.addRows(px, rows, cols, pbias);
      assertGuardsIntact();
      assert.deepEqual(
        read(px, rows * cols),
        x.map((v, i) => f(v + bias[i % cols]!)),
      );

      // copyRuns: 3 runs of 5 floats, source stride 6, destination stride 9
      const src = seeded(18, 5);
      const [ps, pd] = place([src, new Float32Array(27)]) as [number, number];
      simd.copyRuns(ps, pd, 3, 5, 6, 9);
      assertGuardsIntact();
      const copied = read(pd, 27);
      for (let r = 0; r < 3; r++)
        for (let j = 0; j < 9; j++) assert.equal(copied[r * 9 + j], j < 5 ? src[r * 6 + j] : 0);

      // gatherRows: rows of 6 floats by int32 index, repeats allowed
      const table = seeded(4 * 6, 6);
      const indices = new Float32Array(new Int32Array([3, 0, 3]).buffer);
      const [pt, pi, pg] = place([table, indices, new Float32Array(18)]) as [number, number, number];
      simd.gatherRows(pt, pg, pi, 3, 6);
      assertGuardsIntact();
      assert.deepEqual(
        read(pg, 18),
        Float32Array.from([...table.slice(18, 24), ...table.slice(0, 6), ...table.slice(18, 24)]),
      );
    });

    test('im2col and col2im are adjoint and stay inside their outputs (padding, stride 2, 2 channels)', () => {
      // B, H, W, CI, OH, OW, KH, KW, sh, sw, top, left: a 5×4 image, 3×3 filter, stride 2, pad 1
      const g = [2, 5, 4, 2, 3, 2, 3, 3, 2, 2, 1, 1] as const;
      const [B, H, W, CI, OH, OW, KH, KW] = g;
      const xs = seeded(B * H * W * CI, 7);
      const colsLen = B * OH * OW * KH * KW * CI;
      const [px, pc] = place([xs, new Float32Array(colsLen)]) as [number, number];
      simd.im2col(px, pc, ...g);
      assertGuardsIntact();
      const cols = read(pc, colsLen);
      const y = seeded(colsLen, 8);
      const [py, pdx] = place([y, new Float32Array(B * H * W * CI).fill(99)]) as [number, number];
      simd.col2im(py, pdx, ...g);
      assertGuardsIntact();
      const dx = read(pdx, B * H * W * CI);
      // <im2col(x), y> = <x, col2im(y)> (exactly up to float32 sums of a few terms)
      const dot = (p: Float32Array, q: Float32Array) => p.reduce((s, v, i) => s + v * q[i]!, 0);
      assert.ok(Math.abs(dot(cols, y) - dot(xs, dx)) < 1e-4, `${dot(cols, y)} vs ${dot(xs, dx)}`);
      // a patch that reads padding holds zeros there: patch (b 0, oh 0, ow 0), tap (kh 0, kw 0)
      assert.equal(cols[0], 0);
    });

    test('batchNorm stays inside its output', () => {
      const pixels = 3;
      const C = 6;
      const xs = seeded(pixels * C, 9);
      const stats = [seeded(C, 10), seeded(C, 11).map((v) => v * v + 0.5), seeded(C, 12), seeded(C, 13)];
      const [px, po, pm, pv, pof, psc] = place([xs, new Float32Array(pixels * C), ...stats]) as number[];
      simd.batchNorm(px!, po!, pixels, C, pm!, pv!, pof!, psc!, f(1e-3));
      assertGuardsIntact();
      const [mean, variance, offset, scale] = stats as [Float32Array, Float32Array, Float32Array, Float32Array];
      const expected = xs.map((v, i) => {
        const c = i % C;
        return f(offset[c]! + f(f(v - mean[c]!) * scale[c]!) / f(Math.sqrt(f(variance[c]! + f(1e-3)))));
      });
      assert.deepEqual(read(po!, pixels * C), expected);
    });
  });
}

// ---------------------------------------------------------------- Sum and Mean patches on wasm

interface ReduceCase {
  shape: number[];
  axis: number | number[];
  keepDims?: boolean;
}

const reduceCases: ReduceCase[] = [
  { shape: [64, 14, 14, 64], axis: [0, 1, 2] }, // conv bias gradient
  { shape: [64, 7, 7, 128], axis: [0, 1, 2], keepDims: true }, // batch-norm moments
  { shape: [64, 1024], axis: 0 }, // dense bias gradient
  { shape: [5, 3], axis: [1, 0] }, // every axis, in any order
  { shape: [4, 6, 7], axis: [-3, -2] },
  { shape: [3, 5, 2, 9], axis: [0] },
  { shape: [11, 1], axis: 0 },
  { shape: [2, 3, 4], axis: [0, 2] }, // not leading: stock
  { shape: [2, 3, 4], axis: 2 }, // innermost: stock
  { shape: [0, 4], axis: 0 }, // empty: stock
  { shape: [7], axis: 0 },
];

describe('wasm Sum and Mean patches', () => {
  before(async () => {
    await onBackend('wasm', () => registerKernelPatches('wasm'));
  });

  test('are registered', () => {
    assert.notEqual(tf.getKernel('Sum', 'wasm'), stockWasmSum);
    assert.notEqual(tf.getKernel('Mean', 'wasm'), stockWasmMean);
  });

  for (const [i, c] of reduceCases.entries()) {
    for (const [name, stock] of [
      ['Sum', stockWasmSum],
      ['Mean', stockWasmMean],
    ] as const) {
      test(
        `${name} [${c.shape.join(',')}] axis ${JSON.stringify(c.axis)}${c.keepDims ? ' keepDims' : ''}: ` +
          `identical to stock`,
        async () => {
          await onBackend('wasm', () => {
            const values = seeded(size(c.shape), 900 + i).map((e) => e * 100);
            if (values.length > 0) values[0] = -0;
            const x = tf.tensor(values, c.shape);
            const attrs = { axis: c.axis, keepDims: c.keepDims ?? false } as unknown as NamedAttrMap;
            try {
              assertIdenticalToStock(stock, { x }, attrs);
            } finally {
              x.dispose();
            }
          });
        },
      );
    }
  }

  test('int32 sums stay int32 (stock kernel)', async () => {
    await onBackend('wasm', () => {
      const x = tf.tensor(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        [3, 2],
        'int32',
      );
      const s = tf.sum(x, 0);
      assert.equal(s.dtype, 'int32');
      assert.deepEqual(Array.from(s.dataSync()), [9, 12]);
      tf.dispose([x, s]);
    });
  });
});

// ---------------------------------------------------------------- Transpose patch on wasm

const stockWasmTranspose: KernelConfig = tf.getKernel('Transpose', 'wasm');

describe('wasm Transpose patch', () => {
  before(async () => {
    await onBackend('wasm', () => registerKernelPatches('wasm'));
  });

  test('reduces permutations to the plans it runs', () => {
    assert.deepEqual(reducePermutation([64, 14, 14, 64], [3, 1, 2, 0]), { shape: [64, 196, 64], perm: [2, 1, 0] });
    assert.deepEqual(reducePermutation([1, 5, 3], [0, 2, 1]), { shape: [5, 3], perm: [1, 0] });
    assert.deepEqual(reducePermutation([2, 3, 4, 5], [2, 3, 0, 1]), { shape: [6, 20], perm: [1, 0] });
    assert.deepEqual(reducePermutation([2, 3, 4], [0, 1, 2]), { shape: [24], perm: [0] });
    assert.deepEqual(reducePermutation([64, 7, 7, 128], [1, 2, 0, 3]), { shape: [64, 49, 128], perm: [1, 0, 2] });
  });

  const cases: Array<[number[], number[]]> = [
    [
      [1024, 784],
      [1, 0],
    ],
    [
      [13, 11],
      [1, 0],
    ], // tails in both directions
    [
      [8, 8],
      [1, 0],
    ],
    [
      [1, 7],
      [1, 0],
    ],
    [
      [3, 17, 9],
      [0, 2, 1],
    ],
    [
      [64, 14, 14, 64],
      [3, 1, 2, 0],
    ], // conv filter gradient's batch/channel swap
    [
      [5, 3, 2, 9],
      [3, 1, 2, 0],
    ],
    [
      [2, 3, 4, 5],
      [2, 3, 0, 1],
    ],
    [
      [64, 7, 7, 128],
      [1, 2, 0, 3],
    ], // block copy: stock
    [
      [4, 5, 6],
      [1, 2, 0],
    ], // rotation: stock
    [[6], [0]],
  ];
  for (const [i, [shape, perm]] of cases.entries()) {
    test(`[${shape.join(',')}] perm [${perm.join(',')}]: identical to stock`, async () => {
      await onBackend('wasm', () => {
        const x = tf.tensor(seeded(size(shape), 1200 + i), shape);
        const attrs = { perm } as unknown as NamedAttrMap;
        try {
          assertIdenticalToStock(stockWasmTranspose, { x }, attrs);
        } finally {
          x.dispose();
        }
      });
    });
  }

  test('int32 goes to the stock kernel', async () => {
    await onBackend('wasm', () => {
      const x = tf.tensor(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [2, 3],
        'int32',
      );
      const t = tf.transpose(x);
      assert.equal(t.dtype, 'int32');
      assert.deepEqual(Array.from(t.dataSync()), [1, 4, 2, 5, 3, 6]);
      tf.dispose([x, t]);
    });
  });
});

// ---------------------------------------------------------------- _FusedMatMul patch on wasm

const stockWasmFusedMatMul: KernelConfig = tf.getKernel('_FusedMatMul', 'wasm');

describe('wasm _FusedMatMul patch', () => {
  before(async () => {
    await onBackend('wasm', () => registerKernelPatches('wasm'));
  });

  interface MatMulCase {
    m: number;
    k: number;
    n: number;
    bias: boolean;
    swapped: boolean;
    attrs?: Record<string, unknown>;
    batch?: number;
  }
  const cases: MatMulCase[] = [
    { m: 64, k: 1024, n: 784, bias: false, swapped: true }, // G's output layer
    { m: 64, k: 512, n: 1024, bias: true, swapped: true },
    { m: 7, k: 300, n: 129, bias: true, swapped: true }, // odd sizes: transpose tails
    { m: 64, k: 100, n: 6272, bias: true, swapped: true }, // DCGAN G's projection
    { m: 64, k: 256, n: 1, bias: true, swapped: false }, // small weights: stock
    { m: 512, k: 256, n: 512, bias: true, swapped: false }, // a large batch (inference): stock
    { m: 64, k: 512, n: 1024, bias: true, swapped: false, attrs: { activation: 'relu' } }, // not linear: stock
    { m: 64, k: 512, n: 1024, bias: false, swapped: false, attrs: { transposeB: true } }, // transposed: stock
    { m: 8, k: 64, n: 512, bias: true, swapped: false, batch: 2 }, // batched: stock
  ];
  const attrsOf = (extra: Record<string, unknown> = {}) =>
    ({
      transposeA: false,
      transposeB: false,
      activation: 'linear',
      leakyreluAlpha: 0,
      ...extra,
    }) as unknown as NamedAttrMap;

  for (const [i, c] of cases.entries()) {
    const label =
      `[${c.batch ?? 1},${c.m},${c.k}]·[${c.k},${c.n}]${c.bias ? ' + bias' : ''} ` + `${JSON.stringify(c.attrs ?? {})}`;
    test(`${label}: ${c.swapped ? 'swapped' : 'stock'}, equals the stock kernel to float32 rounding`, async () => {
      await onBackend('wasm', () => {
        const batch = c.batch ?? 1;
        const transposeB = c.attrs?.transposeB === true;
        const a = tf.tensor(seeded(batch * c.m * c.k, 1300 + i), [batch, c.m, c.k]);
        const b = tf.tensor(seeded(batch * c.k * c.n, 1400 + i), transposeB ? [batch, c.n, c.k] : [batch, c.k, c.n]);
        const bias = c.bias ? tf.tensor(seeded(c.n, 1500 + i), [c.n]) : undefined;
        const inputs: Record<string, tf.Tensor> = bias ? { a, b, bias } : { a, b };
        const attrs = attrsOf(c.attrs);
        try {
          const cachedBefore = cachedTransposeCount(tf.backend());
          const patched = runRegisteredShaped('_FusedMatMul', inputs, attrs);
          // The swapped plan caches Wᵀ for the live W; the stock kernel leaves the cache alone.
          assert.equal(cachedTransposeCount(tf.backend()) - cachedBefore, c.swapped ? 1 : 0, 'plan taken');
          const reference = callKernelShaped(stockWasmFusedMatMul, inputs, attrs);
          assert.deepEqual(patched.shape, reference.shape);
          assertClose(patched.values, reference.values, 1e-6, label);
        } finally {
          tf.dispose([a, b, ...(bias ? [bias] : [])]);
        }
      });
    });
  }

  test('caches Wᵀ while W lives and frees it after W is gone (no buffers pile up)', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const x = tf.tensor(seeded(64 * 512, 1600), [1, 64, 512]);
      const cachedAtStart = cachedTransposeCount(tf.backend());
      const step = (seed: number): number => {
        const w = tf.tensor(seeded(512 * 1024, seed), [1, 512, 1024]);
        for (let use = 0; use < 3; use++) {
          (tf.engine().runKernel('_FusedMatMul', { a: x, b: w }, attrsOf()) as tf.Tensor).dispose();
          // One transpose for this W, made by the first use and reused by the others.
          assert.equal(cachedTransposeCount(tf.backend()), cachedAtStart + 1, `use ${use + 1}`);
        }
        w.dispose();
        assert.equal(cachedTransposeCount(tf.backend()), cachedAtStart, 'released with W');
        return backend.numDataIds();
      };
      const counts = [1, 2, 3, 4, 5].map((i) => step(1700 + i));
      assert.ok(
        counts.every((c) => c === counts[0]),
        `buffers after each step: ${counts.join(', ')}`,
      );
      x.dispose();
    });
  });

  test('one buffer viewed under two shapes (Reshape shares buffers) gets the right transpose for each', async () => {
    await onBackend('wasm', () => {
      const x1 = tf.tensor(seeded(64 * 256, 1800), [1, 64, 256]);
      const x2 = tf.tensor(seeded(64 * 512, 1801), [1, 64, 512]);
      const w1 = tf.tensor(seeded(256 * 512, 1802), [1, 256, 512]);
      const w2 = tf.reshape(w1, [1, 512, 256]);
      // The reference runs on copies: the stock kernel caches its XNNPACK operator by buffer id
      // alone, so a reshaped view of a buffer it has seen would reuse the wrong-shaped operator.
      const copies = [w1, w2].map((w) => tf.tensor(w.dataSync(), w.shape));
      try {
        for (const [x, w, copy] of [
          [x1, w1, copies[0]!],
          [x2, w2, copies[1]!],
          [x1, w1, copies[0]!],
        ] as const) {
          const patched = runRegisteredShaped('_FusedMatMul', { a: x, b: w }, attrsOf());
          assertClose(
            patched.values,
            callKernelShaped(stockWasmFusedMatMul, { a: x, b: copy }, attrsOf()).values,
            1e-6,
            `[${w.shape.join(',')}]`,
          );
        }
      } finally {
        tf.dispose([x1, x2, w1, w2, ...copies]);
      }
    });
  });
});

// ---------------------------------------------------------------- FusedBatchNorm patch on wasm

const stockWasmBatchNorm: KernelConfig = tf.getKernel('FusedBatchNorm', 'wasm');

describe('wasm FusedBatchNorm patch', () => {
  before(async () => {
    await onBackend('wasm', () => registerKernelPatches('wasm'));
  });

  const cases: Array<{ shape: number[]; perChannel: boolean }> = [
    { shape: [64, 14, 14, 64], perChannel: true }, // G's upsampling block
    { shape: [1, 1, 64, 6272], perChannel: true }, // G's projection, reshaped to 4-D by tfjs-layers
    { shape: [3, 5, 7], perChannel: true }, // channels not a multiple of 4: scalar tail
    { shape: [2, 3, 4], perChannel: false }, // scalar moments: stock
  ];
  for (const [i, c] of cases.entries()) {
    test(`[${c.shape.join(',')}]${c.perChannel ? '' : ' scalar moments'}: identical to stock`, async () => {
      await onBackend('wasm', () => {
        const channels = c.perChannel ? c.shape[c.shape.length - 1]! : 1;
        const x = tf.tensor(
          seeded(size(c.shape), 1800 + i).map((v) => v * 3),
          c.shape,
        );
        const mean = tf.tensor(seeded(channels, 1900 + i), [channels]);
        const variance = tf.tensor(
          seeded(channels, 2000 + i).map((v) => v * v + 0.1),
          [channels],
        );
        const offset = tf.tensor(seeded(channels, 2100 + i), [channels]);
        const scale = tf.tensor(
          seeded(channels, 2200 + i).map((v) => 1 + v),
          [channels],
        );
        const inputs = { x, mean, variance, offset, scale };
        const attrs = { varianceEpsilon: 1e-3 } as unknown as NamedAttrMap;
        try {
          assertIdenticalToStock(stockWasmBatchNorm, inputs, attrs);
        } finally {
          tf.dispose([x, mean, variance, offset, scale]);
        }
      });
    });
  }
});

// ---------------------------------------------------------------- GanAddNormalNoise on wasm

describe('wasm GanAddNormalNoise (the semi-supervised D noise)', () => {
  before(async () => {
    await onBackend('wasm', () => {
      registerKernelPatches('wasm');
      registerAddNormalNoiseGradient();
    });
  });

  for (const [i, shape] of [
    [300, 784],
    [7, 5],
    [1, 1],
    [100, 250],
  ].entries()) {
    test(`[${shape.join(',')}]: bit-identical to x + tensor(normalArray(…)), in one kernel`, async () => {
      await onBackend('wasm', async () => {
        const x = tf.tensor(seeded(size(shape), 2300 + i), shape);
        const seed = 4100 + i;
        try {
          const stock = addNormalNoise(x, 0.3, seed);
          const ours = engineUpdates.addNoise(x, 0.3, seed);
          assert.deepEqual(ours.dataSync(), stock.dataSync());
          tf.dispose([ours, stock]);
          const info = await tf.profile(() => engineUpdates.addNoise(x, 0.3, seed).dispose());
          assert.deepEqual(
            info.kernels.map((k) => k.name),
            ['GanAddNormalNoise'],
          );
        } finally {
          x.dispose();
        }
      });
    });
  }

  test('its gradient passes dy through; no tensors or buffers pile up', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const x = tf.variable(tf.tensor(seeded(40, 2400), [4, 10]));
      const dy = tf.tensor(seeded(40, 2401), [4, 10]);
      const counts = [1, 2, 3].map((round) => {
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.mul(engineUpdates.addNoise(x, 0.5, round), dy)) as tf.Scalar,
        );
        assert.deepEqual(grads[x.name]!.dataSync(), dy.dataSync());
        tf.dispose([value, ...Object.values(grads)]);
        return `${tf.memory().numTensors}/${backend.numDataIds()}`;
      });
      assert.ok(
        counts.every((c) => c === counts[0]),
        counts.join(', '),
      );
      tf.dispose([x, dy]);
    });
  });
});

// ---------------------------------------------------------------- GanScaleShift on wasm

describe('wasm GanScaleShift (a weight-normalised layer after its product)', () => {
  before(async () => {
    await onBackend('wasm', () => {
      registerKernelPatches('wasm');
      registerScaleShiftGradient();
    });
  });

  for (const [i, [rows, cols, relu]] of (
    [
      [300, 1000, true],
      [100, 250, true],
      [7, 10, false],
      [3, 5, true],
      [1, 1, false],
    ] as const
  ).entries()) {
    const name = `[${rows},${cols}] ${relu ? 'ReLU' : 'linear'}`;
    test(`${name}: the stock ops' output bit for bit, their gradients to rounding`, async () => {
      await onBackend('wasm', async () => {
        const p = tf.variable(tf.tensor2d(seeded(rows * cols, 2600 + i), [rows, cols]));
        // Positive scales, as g/‖v‖ is; a few zeros in p's pre-activations exercise ReLU's edge.
        const scale = tf.variable(tf.tensor1d(seeded(cols, 2610 + i).map((v) => 0.5 + Math.abs(v))));
        const bias = tf.variable(tf.tensor1d(seeded(cols, 2620 + i)));
        const dy = tf.tensor2d(seeded(rows * cols, 2630 + i), [rows, cols]);
        const run = (f: typeof stockScaleShift) =>
          tf.variableGrads(() => tf.sum(tf.mul(f(p, scale, bias, relu), dy)) as tf.Scalar);
        try {
          const [ours, stock] = [run(engineUpdates.scaleShift), run(stockScaleShift)];
          const forward = (f: typeof stockScaleShift) => tf.tidy(() => f(p, scale, bias, relu).dataSync().slice());
          assert.deepEqual(forward(engineUpdates.scaleShift), forward(stockScaleShift));
          // Where ReLU is off, tfjs's dy·0 is −0 for negative dy and ours +0: equal numbers.
          const signless = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => (v === 0 ? 0 : v));
          assert.deepEqual(signless(ours.grads[p.name]!), signless(stock.grads[p.name]!), 'dp = dy·scale exactly');
          for (const v of [scale, bias])
            assertClose(ours.grads[v.name]!.dataSync(), stock.grads[v.name]!.dataSync(), 1e-4, v.name);
          tf.dispose([ours.value, stock.value, ...Object.values(ours.grads), ...Object.values(stock.grads)]);
          const info = await tf.profile(() => tf.dispose(run(engineUpdates.scaleShift).grads));
          const names = info.kernels.map((k) => k.name);
          assert.equal(names.filter((n) => n.startsWith('GanScaleShift')).length, 2, names.join(' '));
          assert.ok(!names.includes('Relu') && !names.includes('Step'), names.join(' '));
        } finally {
          tf.dispose([p, scale, bias, dy]);
        }
      });
    });
  }

  test('no tensors or buffers pile up over repeated gradients', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const p = tf.variable(tf.tensor2d(seeded(60, 2640), [6, 10]));
      const scale = tf.variable(tf.tensor1d(seeded(10, 2641)));
      const bias = tf.variable(tf.tensor1d(seeded(10, 2642)));
      const counts = [1, 2, 3].map(() => {
        const { value, grads } = tf.variableGrads(
          () => tf.sum(engineUpdates.scaleShift(p, scale, bias, true)) as tf.Scalar,
        );
        tf.dispose([value, ...Object.values(grads)]);
        return `${tf.memory().numTensors}/${backend.numDataIds()}`;
      });
      assert.ok(
        counts.every((c) => c === counts[0]),
        counts.join(', '),
      );
      tf.dispose([p, scale, bias]);
    });
  });
});

// ---------------------------------------------------------------- Softplus patch on wasm

describe('wasm Softplus patch', () => {
  before(async () => {
    await onBackend('wasm', () => registerKernelPatches('wasm'));
  });

  test('within 1e-6 of the cpu engine (float64 maths) at every element, tails and extremes included', async () => {
    const special = [
      0, -0, 1e-8, -1e-8, 0.5, -0.5, 13.9, -13.9, 15, -15, 20, -20, 80, -80, 87, -87, 88, -88, 100, -100,
    ];
    for (const [i, n] of [1, 3, 7, 1003, 78400].entries()) {
      const values = Float32Array.from(seeded(n, 2500 + i), (v, j) => (j < special.length ? special[j]! : v * 30));
      const run = (backend: string) =>
        onBackend(backend, () => tf.tidy(() => tf.softplus(tf.tensor1d(values)).dataSync().slice()));
      const [ours, cpu] = [await run('wasm'), await run('cpu')];
      for (let j = 0; j < n; j++) {
        const [o, r] = [ours[j]!, cpu[j]!];
        const ok = r > 1e-30 ? Math.abs(o - r) <= 1e-6 * r : Math.abs(o - r) <= 1e-30;
        assert.ok(ok, `softplus(${values[j]}): ${o} against ${r} (n = ${n})`);
      }
    }
    await onBackend('wasm', async () => {
      const ones = tf.ones([5]);
      const info = await tf.profile(() => tf.softplus(ones).dispose());
      ones.dispose();
      assert.deepEqual(
        info.kernels.map((k) => k.name),
        ['Softplus'],
      );
      const nan = tf.tidy(() => tf.softplus(tf.scalar(Number.NaN)).dataSync()[0]!);
      assert.ok(Number.isNaN(nan), 'NaN stays NaN');
    });
  });
});

// ---------------------------------------------------------------- GatherV2 patch on wasm

const stockWasmGather: KernelConfig = tf.getKernel('GatherV2', 'wasm');

describe('wasm GatherV2 patch', () => {
  before(async () => {
    await onBackend('wasm', () => registerKernelPatches('wasm'));
  });

  const cases: Array<{
    shape: number[];
    dtype: 'float32' | 'int32' | 'bool';
    indices: number[];
    indexShape?: number[];
    axis?: number;
  }> = [
    { shape: [100, 28, 28, 1], dtype: 'float32', indices: [5, 99, 0, 5, 42] }, // a batch of images, a repeat
    { shape: [100], dtype: 'int32', indices: [3, 1, 4, 1, 5] }, // labels
    { shape: [7, 3], dtype: 'float32', indices: [6, 0, 2, 2], indexShape: [2, 2] }, // 2-D indices
    { shape: [10, 5], dtype: 'float32', indices: [] },
    { shape: [4, 6], dtype: 'float32', indices: [5, 1], axis: 1 }, // axis 1: stock
    { shape: [6], dtype: 'bool', indices: [0, 5] }, // bool: stock
  ];
  for (const [i, c] of cases.entries()) {
    test(
      `[${c.shape.join(',')}] ${c.dtype} indices [${c.indices.join(',')}] axis ${c.axis ?? 0}: identical to ` + `stock`,
      async () => {
        await onBackend('wasm', () => {
          const values = Array.from(seeded(size(c.shape), 2300 + i), (v) =>
            c.dtype === 'float32' ? v : Math.round(v * 50),
          );
          const x = tf.tensor(c.dtype === 'bool' ? values.map((v) => (v > 0 ? 1 : 0)) : values, c.shape, c.dtype);
          const indices = tf.tensor(c.indices, c.indexShape ?? [c.indices.length], 'int32');
          const attrs = { axis: c.axis ?? 0, batchDims: 0 } as unknown as NamedAttrMap;
          try {
            assertIdenticalToStock(stockWasmGather, { x, indices }, attrs);
          } finally {
            tf.dispose([x, indices]);
          }
        });
      },
    );
  }

  test('rows arrive when allocating the output grows the heap (single-threaded binary: views detach)', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/gather-heap-growth.ts'], {
      encoding: 'utf8',
      env: { ...process.env, GAN_WASM_THREADS: '1' },
    });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      threads: number;
      grew: boolean;
      firsts: number[];
      lasts: number[];
    };
    assert.equal(result.threads, 1);
    assert.ok(result.grew, 'the output must not fit the heap as it was, or this tests nothing');
    const expected = [2, 1, 2, 2, 1, 2, 1, 2];
    assert.deepEqual(result.firsts, expected);
    assert.deepEqual(result.lasts, expected);
  });

  test("an index out of range is the stock kernel's error", async () => {
    await onBackend('wasm', () => {
      const x = tf.zeros([4, 2]);
      const indices = tf.tensor1d([1, 4], 'int32');
      assert.throws(() => tf.gather(x, indices), /GatherV2: the index value 4 is not in \[0, 3\]/);
      tf.dispose([x, indices]);
    });
  });
});
