/**
 * Equivalence tests for the kernel patches in src/engine/kernels: every patched
 * kernel is compared with a stock tfjs kernel on seeded random inputs over many
 * shapes, strides and paddings.
 *
 * References are the stock kernels themselves, captured from the kernel
 * registry before the patches are installed and called directly:
 * - Conv2DBackpropFilter: stock cpu (wasm has none; cpu's is replaced).
 * - BatchMatMul, Conv2DBackpropInput, Tile, LeakyRelu on wasm: the stock wasm kernels.
 * (Sum, Mean and the SIMD module: simd-kernels.test.ts.)
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { backend_util } from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import { registerFastLeakyReluGradient } from '../src/engine/gradients.js';
import { registerComparisonGradients } from '../src/engine/gradients.js';
import { registerKernelPatches } from '../src/engine/kernels/index.js';
import { kernelInvoker } from '../src/engine/kernels/invoke.js';
import { backpropInputByPhases } from '../src/engine/kernels/wasm-conv2d-backprop-input-phases.js';
import {
  assertClose,
  callKernel,
  matMulCases,
  type MatMulCase,
  onBackend,
  runRegistered,
  seeded,
  size,
  withKernel,
  assertPatchMatchesStock,
} from './helpers/kernel-calls.ts';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | backend_util.ExplicitPadding;

const FILTER_GRAD = 'Conv2DBackpropFilter';
const stockCpuFilterGrad: KernelConfig = tf.getKernel(FILTER_GRAD, 'cpu');
const stockWasmMatMul: KernelConfig = tf.getKernel('BatchMatMul', 'wasm');
const stockWasmInputGrad: KernelConfig = tf.getKernel('Conv2DBackpropInput', 'wasm');
const stockWasmTile: KernelConfig = tf.getKernel('Tile', 'wasm');
const stockWasmLeakyRelu: KernelConfig = tf.getKernel('LeakyRelu', 'wasm');
const stockCpuConv2d: KernelConfig = tf.getKernel('Conv2D', 'cpu');
const stockCpuInputGrad: KernelConfig = tf.getKernel('Conv2DBackpropInput', 'cpu');
const stockCpuFusedConv2d: KernelConfig = tf.getKernel('FusedConv2D', 'cpu');

// ---------------------------------------------------------------- Conv2DBackpropFilter

interface ConvCase {
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
  rounding?: 'floor' | 'round' | 'ceil';
}

const convCases: ConvCase[] = [
  { x: [1, 7, 5, 1], filter: [3, 3, 1, 1], strides: 1, pad: 'same' },
  { x: [2, 7, 5, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { x: [2, 7, 5, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'valid' },
  { x: [3, 13, 13, 2], filter: [5, 5, 2, 6], strides: 2, pad: 'same' },
  { x: [3, 13, 13, 2], filter: [4, 4, 2, 5], strides: 2, pad: 'same' },
  { x: [4, 14, 14, 8], filter: [5, 5, 8, 8], strides: 2, pad: 'same' },
  { x: [4, 14, 14, 8], filter: [4, 4, 8, 8], strides: 2, pad: 'valid' },
  { x: [2, 28, 28, 1], filter: [5, 5, 1, 8], strides: 2, pad: 'same' },
  { x: [2, 28, 28, 1], filter: [4, 4, 1, 8], strides: 2, pad: 'same' },
  { x: [4, 28, 28, 1], filter: [5, 5, 1, 4], strides: 1, pad: 'same' },
  { x: [1, 13, 13, 4], filter: [1, 1, 4, 3], strides: 1, pad: 'valid' },
  { x: [2, 8, 8, 3], filter: [1, 1, 3, 2], strides: 2, pad: 'valid' },
  { x: [2, 9, 7, 2], filter: [3, 2, 2, 3], strides: [2, 1], pad: 'same' },
  { x: [2, 9, 7, 2], filter: [3, 2, 2, 3], strides: [2, 1], pad: 'valid' },
  { x: [2, 14, 14, 6], filter: [3, 3, 6, 5], strides: 2, pad: 'same' },
  { x: [1, 5, 7, 8], filter: [5, 5, 8, 1], strides: 2, pad: 'same' },
  { x: [3, 7, 5, 2], filter: [3, 3, 2, 4], strides: 1, pad: 1 },
  { x: [2, 13, 13, 3], filter: [4, 4, 3, 2], strides: 2, pad: 2 },
  { x: [2, 7, 5, 2], filter: [3, 3, 2, 3], strides: 2, pad: 1, rounding: 'ceil' },
  {
    x: [2, 13, 13, 3],
    filter: [5, 5, 3, 2],
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
  {
    x: [1, 14, 14, 5],
    filter: [3, 2, 5, 7],
    strides: [2, 1],
    pad: [
      [0, 0],
      [0, 3],
      [1, 1],
      [0, 0],
    ],
  },
  // 9–15 input channels: the wasm patches' general plans (≤ 8 take im2col/col2im, ≥ 16 phases).
  { x: [2, 9, 9, 12], filter: [3, 3, 12, 5], strides: 2, pad: 'same' },
  { x: [2, 10, 11, 10], filter: [4, 4, 10, 3], strides: [2, 3], pad: 'valid' },
  // ≥ 16 input channels: the wasm Conv2DBackpropInput patch takes its per-phase plan.
  { x: [2, 14, 14, 16], filter: [4, 4, 16, 8], strides: 2, pad: 'same' },
  { x: [2, 9, 11, 20], filter: [5, 3, 20, 6], strides: [2, 3], pad: 'valid' },
  {
    x: [3, 10, 10, 16],
    filter: [3, 3, 16, 4],
    strides: 3,
    pad: [
      [0, 0],
      [2, 1],
      [0, 2],
      [0, 0],
    ],
  },
  // Every tap reads padding only: the gradient is exactly zero.
  {
    x: [1, 1, 3, 2],
    filter: [1, 1, 2, 3],
    strides: 5,
    pad: [
      [0, 0],
      [4, 0],
      [0, 0],
      [0, 0],
    ],
  },
];

const describeCase = (c: ConvCase): string =>
  `x ${c.x.join('×')} filter ${c.filter.join('×')} strides ${String(c.strides)} pad ${JSON.stringify(c.pad)}` +
  (c.rounding ? ` ${c.rounding}` : '');

function filterGradAttrs(c: ConvCase): NamedAttrMap {
  return {
    strides: c.strides,
    pad: c.pad,
    dataFormat: 'NHWC',
    dimRoundingMode: c.rounding,
    filterShape: c.filter,
  } as unknown as NamedAttrMap;
}

/** Seeded x and dy for a case (dy has the forward output's shape). */
function filterGradInputs(c: ConvCase, seed: number) {
  const info = backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.rounding);
  return { x: seeded(size(c.x), seed), dy: seeded(size(info.outShape), seed + 1), dyShape: info.outShape };
}

describe('Conv2DBackpropFilter patches', () => {
  const patched: Record<string, string[]> = {};
  before(async () => {
    patched['wasm'] = await onBackend('wasm', () => registerKernelPatches('wasm'));
    patched['cpu'] = await onBackend('cpu', () => registerKernelPatches('cpu'));
  });

  test('registers on both backends, idempotently', async () => {
    assert.ok(patched['wasm']!.includes(FILTER_GRAD));
    assert.ok(patched['cpu']!.includes(FILTER_GRAD));
    const wasmKernel = tf.getKernel(FILTER_GRAD, 'wasm');
    const cpuKernel = tf.getKernel(FILTER_GRAD, 'cpu');
    assert.notEqual(cpuKernel, stockCpuFilterGrad);
    assert.deepEqual(registerKernelPatches('wasm'), patched['wasm']);
    assert.deepEqual(registerKernelPatches('cpu'), patched['cpu']);
    assert.equal(tf.getKernel(FILTER_GRAD, 'wasm'), wasmKernel);
    assert.equal(tf.getKernel(FILTER_GRAD, 'cpu'), cpuKernel);
    assert.deepEqual(registerKernelPatches('no-such-backend'), []);
  });

  for (const [i, c] of convCases.entries()) {
    test(describeCase(c), async () => {
      const { x, dy, dyShape } = filterGradInputs(c, 100 + i);
      const run = (backend: string, kernel: (inputs: Record<string, Tensor>) => Float32Array) =>
        onBackend(backend, () => {
          const inputs = { x: tf.tensor4d(x, c.x), dy: tf.tensor4d(dy, dyShape) };
          try {
            return kernel(inputs);
          } finally {
            tf.dispose(Object.values(inputs));
          }
        });
      const ref = await run('cpu', (inputs) => callKernel(stockCpuFilterGrad, inputs, filterGradAttrs(c)));
      const cpu = await run('cpu', (inputs) => runRegistered(FILTER_GRAD, inputs, filterGradAttrs(c)));
      const wasm = await run('wasm', (inputs) => runRegistered(FILTER_GRAD, inputs, filterGradAttrs(c)));
      assertClose(cpu, ref, 1e-5, 'patched cpu vs stock cpu');
      assertClose(wasm, ref, 1e-5, 'patched wasm vs stock cpu');
    });
  }

  test('rejects NCHW with a clear error', async () => {
    for (const backend of ['wasm', 'cpu']) {
      await onBackend(backend, () => {
        const x = tf.zeros([1, 2, 5, 5]);
        const dy = tf.zeros([1, 3, 5, 5]);
        assert.throws(
          () =>
            tf.engine().runKernel(FILTER_GRAD, { x, dy }, {
              strides: 1,
              pad: 'same',
              dataFormat: 'NCHW',
              filterShape: [3, 3, 2, 3],
            } as unknown as NamedAttrMap),
          /NHWC/,
        );
        tf.dispose([x, dy]);
      });
    }
  });
});

/** x and filter of a forward convolution, seeded from `seed` and `seed + 100`. */
function convInputs(c: ConvCase, seed: number): Record<string, Tensor> {
  return {
    x: tf.tensor4d(seeded(size(c.x), seed), c.x),
    filter: tf.tensor4d(seeded(size(c.filter), seed + 100), c.filter),
  };
}

function convAttrs(c: ConvCase, extra: Record<string, unknown>): NamedAttrMap {
  return {
    strides: c.strides,
    pad: c.pad,
    dataFormat: 'NHWC',
    dimRoundingMode: c.rounding,
    ...extra,
  } as unknown as NamedAttrMap;
}

/** dy and filter of Conv2DBackpropInput, seeded from `seed` and `seed + 100`. */
function inputGradInputs(c: ConvCase, seed: number): Record<string, Tensor> {
  const info = backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.rounding);
  return {
    dy: tf.tensor4d(seeded(size(info.outShape), seed), info.outShape),
    filter: tf.tensor4d(seeded(size(c.filter), seed + 100), c.filter),
  };
}

function inputGradAttrs(c: ConvCase): NamedAttrMap {
  return convAttrs(c, { inputShape: c.x });
}

// ---------------------------------------------------------------- whole-model gradient and leaks

/** A tiny conv discriminator: conv s2 → leakyRelu → conv s2 → flatten → dense. */
const discShapes = {
  x: [3, 13, 11, 1] as Shape4,
  w1: [4, 4, 1, 4] as Shape4,
  b1: [4],
  w2: [5, 5, 4, 6] as Shape4,
  b2: [6],
  wd: [4 * 3 * 6, 1],
  bd: [1],
};
type DiscParams = [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];

function discParams(): DiscParams {
  const names = ['w1', 'b1', 'w2', 'b2', 'wd', 'bd'] as const;
  return names.map((n, i) => {
    const shape = discShapes[n];
    return tf.tensor(
      seeded(size(shape), 7 + i).map((v) => v * 0.5),
      shape,
    );
  }) as DiscParams;
}

function discLoss(x: Tensor): (...p: Tensor[]) => Tensor {
  return (w1, b1, w2, b2, wd, bd) => {
    const h1 = tf.leakyRelu(tf.add(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 2, 'same'), b1!), 0.2) as tf.Tensor4D;
    const h2 = tf.add(tf.conv2d(h1, w2 as tf.Tensor4D, 2, 'same'), b2!);
    const logits = tf.add(tf.matMul(tf.reshape(h2, [discShapes.x[0], -1]), wd as tf.Tensor2D), bd!);
    return tf.mean(tf.square(logits));
  };
}

function discGradients(): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(seeded(size(discShapes.x), 3), discShapes.x);
    return tf
      .grads(discLoss(x))(discParams())
      .map((g) => g.dataSync() as Float32Array);
  });
}

describe('conv discriminator gradients', () => {
  before(async () => {
    await onBackend('wasm', () => registerKernelPatches('wasm'));
  });

  test('patched wasm and patched cpu match stock cpu for every variable', async () => {
    const ref = await onBackend('cpu', () =>
      withKernel(stockCpuFilterGrad, () =>
        withKernel(stockCpuConv2d, () => withKernel(stockCpuInputGrad, discGradients)),
      ),
    );
    const wasm = await onBackend('wasm', discGradients);
    const cpu = await onBackend('cpu', () => {
      registerKernelPatches('cpu');
      return discGradients();
    });
    assert.equal(wasm.length, 6);
    ref.forEach((r, i) => assertClose(wasm[i]!, r, 1e-4, `wasm gradient ${i}`));
    ref.forEach((r, i) => assertClose(cpu[i]!, r, 1e-5, `cpu gradient ${i}`));
  });

  test('no tensors or backend buffers leak across repeated gradient calls', async () => {
    for (const backend of ['wasm', 'cpu']) {
      await onBackend(backend, () => {
        registerKernelPatches(backend);
        discGradients(); // warm-up: lazily created state is not a leak
        const tensors = tf.memory().numTensors;
        const dataIds = tf.backend().numDataIds();
        for (let i = 0; i < 5; i++) discGradients();
        assert.equal(tf.memory().numTensors, tensors, `${backend}: numTensors`);
        assert.equal(tf.backend().numDataIds(), dataIds, `${backend}: backend data ids`);
      });
    }
  });
});

// ---------------------------------------------------------------- wasm BatchMatMul

const matMulShapes: MatMulCase[] = [
  ...matMulCases(1, 1, 1),
  ...matMulCases(7, 5, 3),
  ...matMulCases(3, 1, 8),
  ...matMulCases(1, 9, 1),
  ...matMulCases(13, 28, 14),
  ...matMulCases(64, 100, 256),
  ...matMulCases(64, 784, 512),
  ...matMulCases(64, 1024, 1),
  ...matMulCases(5, 6, 7, [1], [1]),
  ...matMulCases(5, 6, 7, [1]),
  ...matMulCases(4, 3, 5, [3], [3]), // batched: stays on the stock kernel
];

describe('wasm BatchMatMul patch', () => {
  before(async () => {
    await onBackend('wasm', () => registerKernelPatches('wasm'));
  });

  test('is registered', () => {
    assert.notEqual(tf.getKernel('BatchMatMul', 'wasm'), stockWasmMatMul);
  });

  for (const [i, c] of matMulShapes.entries()) {
    test(`a ${c.a.join('×')}${c.transposeA ? 'ᵀ' : ''} · b ${c.b.join('×')}${c.transposeB ? 'ᵀ' : ''}`, () =>
      assertPatchMatchesStock(
        'wasm',
        stockWasmMatMul,
        () => ({ a: tf.tensor(seeded(size(c.a), 300 + i), c.a), b: tf.tensor(seeded(size(c.b), 400 + i), c.b) }),
        { transposeA: c.transposeA, transposeB: c.transposeB },
        1e-5,
      ));
  }
});

// ---------------------------------------------------------------- wasm Conv2DBackpropInput

describe('wasm Conv2DBackpropInput patch', () => {
  before(async () => {
    await onBackend('wasm', () => registerKernelPatches('wasm'));
  });

  test('is registered', () => {
    assert.notEqual(tf.getKernel('Conv2DBackpropInput', 'wasm'), stockWasmInputGrad);
  });

  // Per case: the registered kernel (whichever plan it picks) and the per-phase plan called
  // directly, so both plans are checked on every shape.
  let phasePlanCases = 0;
  for (const [i, c] of convCases.entries()) {
    test(describeCase(c), () =>
      assertPatchMatchesStock(
        'wasm',
        stockWasmInputGrad,
        () => inputGradInputs(c, 500 + i),
        inputGradAttrs(c),
        1e-5,
        (inputs, reference) => {
          const attrs = inputGradAttrs(c) as unknown as tf.Conv2DBackpropInputAttrs;
          const k = kernelInvoker(tf.backend(), 'wasm');
          const byPhases = backpropInputByPhases(k, inputs['dy']!, inputs['filter']!, attrs);
          if (byPhases === undefined) return;
          phasePlanCases += 1;
          const out = tf.engine().makeTensorFromTensorInfo(byPhases);
          assertClose(out.dataSync(), reference, 1e-5, 'per-phase plan vs stock wasm');
          out.dispose();
        },
      ),
    );
  }

  test('the per-phase plan handled all but the geometries it declines', () => {
    // Declined: filter smaller than the stride (a phase without taps) and pads ≥ the filter.
    assert.ok(
      phasePlanCases >= convCases.length - 4,
      `per-phase plan ran on ${phasePlanCases} of ${convCases.length} cases`,
    );
  });
});

// ---------------------------------------------------------------- cpu Conv2D and Conv2DBackpropInput

describe('cpu Conv2D and Conv2DBackpropInput patches', () => {
  before(async () => {
    await onBackend('cpu', () => registerKernelPatches('cpu'));
  });

  test('are registered', () => {
    assert.notEqual(tf.getKernel('Conv2D', 'cpu'), stockCpuConv2d);
    assert.notEqual(tf.getKernel('Conv2DBackpropInput', 'cpu'), stockCpuInputGrad);
    assert.notEqual(tf.getKernel('FusedConv2D', 'cpu'), stockCpuFusedConv2d);
  });

  // The forward conv also runs dilated (stride 1), which the backward kernels never see.
  const forwardCases = [
    ...convCases.map((c) => ({ ...c, dilations: 1 as number | [number, number] })),
    {
      x: [2, 11, 9, 3] as Shape4,
      filter: [3, 3, 3, 4] as Shape4,
      strides: 1,
      pad: 'same' as Pad,
      dilations: 2 as number | [number, number],
    },
    {
      x: [1, 12, 10, 9] as Shape4,
      filter: [2, 3, 9, 10] as Shape4,
      strides: 1,
      pad: 'valid' as Pad,
      dilations: [3, 2] as [number, number],
    },
  ];
  for (const [i, c] of forwardCases.entries()) {
    test(`Conv2D ${describeCase(c)} dilations ${String(c.dilations)}`, () =>
      assertPatchMatchesStock(
        'cpu',
        stockCpuConv2d,
        () => convInputs(c, 1000 + i),
        convAttrs(c, { dilations: c.dilations }),
        1e-5,
      ));
  }

  const fusedCases = [convCases[1]!, convCases[5]!, convCases[19]!];
  for (const [i, c] of fusedCases.entries()) {
    for (const activation of ['linear', 'relu', 'leakyrelu', 'elu'] as const) {
      for (const biasKind of ['none', 'vector', 'scalar'] as const) {
        // elu is not handled by the patch: it must fall back to the stock kernel.
        test(`FusedConv2D ${describeCase(c)} ${activation} bias ${biasKind}`, () =>
          assertPatchMatchesStock(
            'cpu',
            stockCpuFusedConv2d,
            () => {
              const inputs: Record<string, Tensor> = convInputs(c, 1400 + i);
              if (biasKind === 'vector') inputs['bias'] = tf.tensor1d(seeded(c.filter[3], 1600 + i));
              if (biasKind === 'scalar') inputs['bias'] = tf.scalar(0.25);
              return inputs;
            },
            convAttrs(c, { dilations: 1, activation, leakyreluAlpha: 0.2 }),
            1e-5,
          ));
      }
    }
  }

  for (const [i, c] of convCases.entries()) {
    test(`Conv2DBackpropInput ${describeCase(c)}`, () =>
      assertPatchMatchesStock('cpu', stockCpuInputGrad, () => inputGradInputs(c, 1200 + i), inputGradAttrs(c), 1e-5));
  }
});

// ---------------------------------------------------------------- wasm Tile

const tileCases: Array<{ shape: number[]; reps: number[] }> = [
  { shape: [], reps: [] },
  { shape: [5], reps: [1] },
  { shape: [5], reps: [4] },
  { shape: [1, 1, 1, 64], reps: [64, 14, 14, 1] }, // batch norm's gradient, DCGAN layer
  { shape: [1, 1, 1, 6272], reps: [1, 1, 64, 1] },
  { shape: [2, 3], reps: [3, 2] },
  { shape: [3, 1, 2], reps: [1, 5, 1] },
  { shape: [2, 3, 4], reps: [2, 1, 3] },
  { shape: [2, 1, 3, 2], reps: [1, 3, 2, 2] },
  { shape: [4, 2, 3, 5], reps: [1, 1, 1, 1] },
  { shape: [1, 7], reps: [3, 1] },
  { shape: [3, 0, 2], reps: [2, 2, 2] },
  { shape: [2, 2], reps: [0, 3] },
];

describe('wasm Tile patch', () => {
  before(async () => {
    await onBackend('wasm', () => registerKernelPatches('wasm'));
  });

  test('is registered', () => {
    assert.notEqual(tf.getKernel('Tile', 'wasm'), stockWasmTile);
  });

  for (const [i, c] of tileCases.entries()) {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      test(`${dtype} [${c.shape.join(',')}] reps [${c.reps.join(',')}]`, () =>
        assertPatchMatchesStock(
          'wasm',
          stockWasmTile,
          () => {
            const values = Array.from(seeded(size(c.shape), 700 + i), (v) =>
              dtype === 'float32' ? v : Math.round(v * 50),
            );
            return { x: tf.tensor(dtype === 'bool' ? values.map((v) => (v > 0 ? 1 : 0)) : values, c.shape, dtype) };
          },
          { reps: c.reps } as unknown as NamedAttrMap,
          0,
          (_, reference) => assert.equal(reference.length, size(c.shape.map((d, k) => d * c.reps[k]!))),
        ));
    }
  }
});

// ---------------------------------------------------------------- LeakyRelu (wasm kernel, gradient)

const leakyCases: Array<{ shape: number[]; alpha: number }> = [
  { shape: [], alpha: 0.2 },
  { shape: [7], alpha: 0.2 },
  { shape: [3, 5], alpha: 0 },
  { shape: [64, 14, 14, 64], alpha: 0.2 }, // DCGAN D's first activation
  { shape: [2, 3, 5, 7], alpha: 0.01 },
  { shape: [13, 1], alpha: 1.5 },
  { shape: [4, 0], alpha: 0.2 },
];

/** Random values with exact zeros and negative zeros mixed in (the kernels' boundary). */
function leakyInput(shape: number[], seed: number): Tensor {
  const values = seeded(size(shape), seed);
  for (let i = 0; i < values.length; i += 5) values[i] = i % 10 === 0 ? 0 : -0;
  return tf.tensor(values, shape);
}

describe('wasm LeakyRelu patch', () => {
  before(async () => {
    await onBackend('wasm', () => registerKernelPatches('wasm'));
  });

  test('is registered', () => {
    assert.notEqual(tf.getKernel('LeakyRelu', 'wasm'), stockWasmLeakyRelu);
  });

  for (const [i, c] of leakyCases.entries()) {
    test(`[${c.shape.join(',')}] alpha ${c.alpha}: identical to the stock kernel`, () =>
      assertPatchMatchesStock(
        'wasm',
        stockWasmLeakyRelu,
        () => ({ x: leakyInput(c.shape, 800 + i) }),
        { alpha: c.alpha } as unknown as NamedAttrMap,
        0,
      ));
  }
});

describe('LeakyRelu gradient', () => {
  for (const backend of ['cpu', 'wasm']) {
    test(`${backend}: dy·step(x, α) equals tfjs's where(x > 0, dy, α·dy), first and second order`, async () => {
      await onBackend(backend, () => {
        registerKernelPatches(backend);
        const x = leakyInput([6, 9, 4], 900);
        const dy = tf.tensor(seeded(6 * 9 * 4, 901), [6, 9, 4]);
        const reference = tf.tidy(() => tf.where(tf.greater(x, 0), dy, tf.mul(dy, 0.3)).dataSync());
        const first = () =>
          tf.tidy(() =>
            tf
              .grad((v: Tensor) => tf.sum(tf.mul(dy, tf.leakyRelu(v, 0.3))))(x)
              .dataSync(),
          );
        // Second order, as a gradient penalty needs it: d/dx Σ (∂/∂u Σ dy·u·leakyRelu(u))² at u = x.
        const second = () =>
          tf.tidy(() =>
            tf
              .grad((v: Tensor) =>
                tf.sum(tf.square(tf.grad((u: Tensor) => tf.sum(tf.mul(tf.mul(dy, u), tf.leakyRelu(u, 0.3))))(v))),
              )(x)
              .dataSync(),
          );
        registerComparisonGradients(); // tfjs's own LeakyRelu gradient needs Greater's (zero) gradient twice
        const stock = tf.getGradient('LeakyRelu')!;
        const stockFirst = Array.from(first());
        const stockSecond = Array.from(second());
        registerFastLeakyReluGradient();
        try {
          assert.notEqual(tf.getGradient('LeakyRelu'), stock, 'our gradient is the registered one');
          assert.deepEqual(Array.from(first()), Array.from(reference));
          assert.deepEqual(Array.from(first()), stockFirst);
          const ours = Array.from(second());
          assert.ok(
            ours.some((v) => v !== 0),
            'the second-order term is not trivially zero here',
          );
          assert.deepEqual(ours, stockSecond);
        } finally {
          tf.dispose([x, dy]);
        }
      });
    });
  }
});

// ---------------------------------------------------------------- Identity (wasm)

describe('wasm Identity and Cast patches', () => {
  before(async () => {
    await onBackend('wasm', () => registerKernelPatches('wasm'));
  });

  test('a clone shares the buffer, outlives its source, and frees it with the last reference', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend() as unknown as { getMemoryOffset(id: object): number; numDataIds(): number };
      const buffersBefore = backend.numDataIds();
      const x = tf.tensor([1, -2, 3.5, 0], [2, 2]);
      const y = tf.clone(x);
      assert.equal(backend.getMemoryOffset(y.dataId), backend.getMemoryOffset(x.dataId), 'no copy');
      assert.equal(backend.numDataIds(), buffersBefore + 1);
      x.dispose();
      assert.deepEqual(Array.from(y.dataSync()), [1, -2, 3.5, 0]);
      assert.deepEqual(y.shape, [2, 2]);
      y.dispose();
      assert.equal(backend.numDataIds(), buffersBefore, 'freed with the last reference');
      // Cast to the dtype a tensor has shares too; a real cast still converts.
      const f = tf.tensor([1.5, -2.5]);
      const same = tf.engine().runKernel('Cast', { x: f }, { dtype: 'float32' }) as Tensor;
      assert.equal(backend.getMemoryOffset(same.dataId), backend.getMemoryOffset(f.dataId));
      const ints = tf.cast(f, 'int32');
      assert.equal(ints.dtype, 'int32');
      assert.deepEqual(Array.from(ints.dataSync()), [1, -2]);
      tf.dispose([f, same, ints]);
      const strings = tf.tensor(['a', 'b']);
      const s = tf.clone(strings);
      assert.deepEqual(s.dataSync(), ['a', 'b']);
      tf.dispose([strings, s]);
    });
  });
});
