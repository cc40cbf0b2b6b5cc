/**
 * Micro-benchmark of the kernel patches in src/engine/kernels on the layer
 * shapes of this project's models at batch 64 (DCGAN 28×28 and the MLP GAN).
 * Prints median ms and GFLOP/s (FLOPs = 2 × the layer's multiply-adds) for each
 * stock and patched kernel, and the speed-up over the stock kernel of the same
 * backend (for wasm Conv2DBackpropFilter, which has no stock kernel, over stock cpu).
 *
 *   node --import tsx bench/kernels.ts [--full] [--reps N] [--no-stock-cpu]
 *
 * Each kernel is called directly (kernelFunc on the active backend), one
 * warm-up call, then the median of N (default 7) calls. The stock cpu
 * Conv2DBackpropFilter needs up to ~90 s a call on these shapes, so by default
 * it is timed once, without warm-up, whenever its first call takes > 5 s
 * (column n says how many calls the median is of); --full times it like the rest,
 * --no-stock-cpu leaves it out (speed-ups over it are then not printed).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { backend_util } from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { registerKernelPatches } from '../src/engine/kernels/index.js';

type Shape4 = [number, number, number, number];

const args = process.argv.slice(2);
const FULL = args.includes('--full');
const REPS = Math.max(5, Number(args[args.indexOf('--reps') + 1] ?? 7) || 7);
const SKIP_STOCK_CPU = args.includes('--no-stock-cpu');
const SLOW_MS = 5000;

/** Stock kernels, captured before any patch is installed. */
const stock = {
  cpuFilterGrad: tf.getKernel('Conv2DBackpropFilter', 'cpu'),
  wasmInputGrad: tf.getKernel('Conv2DBackpropInput', 'wasm'),
  wasmMatMul: tf.getKernel('BatchMatMul', 'wasm'),
};

interface Impl {
  label: string;
  backend: string;
  /** Kernel to time; resolved after the patches are installed. */
  kernel: () => KernelConfig;
  /** Label of the impl this one is compared with ('' for the reference itself). */
  baseline: string;
}

interface Row {
  kernel: string;
  layer: string;
  macs: number;
  /** Input tensors, created on the active backend. */
  inputs: () => Record<string, Tensor>;
  attrs: NamedAttrMap;
  impls: Impl[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

function randomInputs(shapes: Record<string, number[]>): () => Record<string, Tensor> {
  return () =>
    Object.fromEntries(
      Object.entries(shapes).map(([name, shape]) => [name, tf.randomUniform(shape, -1, 1, 'float32', 7)]),
    );
}

function timeCall(config: KernelConfig, inputs: Record<string, Tensor>, attrs: NamedAttrMap): number {
  const backend = tf.backend();
  const t0 = performance.now();
  const out = config.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
  const ms = performance.now() - t0;
  backend.disposeData(out.dataId);
  return ms;
}

async function measure(row: Row, impl: Impl): Promise<{ ms: number; n: number }> {
  await tf.setBackend(impl.backend);
  const inputs = row.inputs();
  const config = impl.kernel();
  try {
    const first = timeCall(config, inputs, row.attrs); // warm-up
    if (!FULL && first > SLOW_MS) return { ms: first, n: 1 };
    const times = Array.from({ length: REPS }, () => timeCall(config, inputs, row.attrs));
    return { ms: median(times), n: REPS };
  } finally {
    tf.dispose(Object.values(inputs));
  }
}

// ------------------------------------------------------------------ rows

const registered = (name: string, backend: string) => () => tf.getKernel(name, backend);

function convRows(): Row[] {
  const rows: Row[] = [];
  // DCGAN discriminator convs (and, transposed, the generator's): stride 2 'same'.
  const layers: Array<{ name: string; x: Shape4; filter: Shape4 }> = [];
  for (const k of [5, 4]) {
    layers.push({ name: `28×28×1→14×14×64 k${k}`, x: [64, 28, 28, 1], filter: [k, k, 1, 64] });
    layers.push({ name: `14×14×64→7×7×128 k${k}`, x: [64, 14, 14, 64], filter: [k, k, 64, 128] });
  }
  for (const l of layers) {
    const info = backend_util.computeConv2DInfo(l.x, l.filter, 2, 1, 'same');
    const macs = info.outShape.reduce((a, b) => a * b, 1) * l.filter[0] * l.filter[1] * l.filter[2];
    rows.push({
      kernel: 'Conv2DBackpropFilter',
      layer: l.name,
      macs,
      inputs: randomInputs({ x: l.x, dy: info.outShape }),
      attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: l.filter } as unknown as NamedAttrMap,
      impls: [
        { label: 'stock cpu', backend: 'cpu', kernel: () => stock.cpuFilterGrad, baseline: '' },
        {
          label: 'patched cpu',
          backend: 'cpu',
          kernel: registered('Conv2DBackpropFilter', 'cpu'),
          baseline: 'stock cpu',
        },
        {
          label: 'patched wasm',
          backend: 'wasm',
          kernel: registered('Conv2DBackpropFilter', 'wasm'),
          baseline: 'stock cpu',
        },
      ],
    });
    rows.push({
      kernel: 'Conv2DBackpropInput',
      layer: `${l.name} (dx; convT forward)`,
      macs,
      inputs: randomInputs({ dy: info.outShape, filter: l.filter }),
      attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: l.x } as unknown as NamedAttrMap,
      impls: [
        { label: 'stock wasm', backend: 'wasm', kernel: () => stock.wasmInputGrad, baseline: '' },
        {
          label: 'patched wasm',
          backend: 'wasm',
          kernel: registered('Conv2DBackpropInput', 'wasm'),
          baseline: 'stock wasm',
        },
      ],
    });
  }
  return rows;
}

function matMulRows(): Row[] {
  // Dense layers of the MLP GAN (G 100-256-512-1024-784, D 784-512-256-1), batch 64:
  // backprop needs dX = dY·Wᵀ and dW = Xᵀ·dY.
  const dense: Array<[number, number]> = [
    [100, 256],
    [256, 512],
    [512, 1024],
    [1024, 784],
    [784, 512],
    [512, 256],
    [256, 1],
  ];
  const m = 64;
  const rows: Row[] = [];
  const impls: Impl[] = [
    { label: 'stock wasm', backend: 'wasm', kernel: () => stock.wasmMatMul, baseline: '' },
    { label: 'patched wasm', backend: 'wasm', kernel: registered('BatchMatMul', 'wasm'), baseline: 'stock wasm' },
  ];
  for (const [k, n] of dense) {
    rows.push({
      kernel: 'BatchMatMul',
      layer: `dX=dY·Wᵀ ${m}×${n}·(${k}×${n})ᵀ`,
      macs: m * k * n,
      inputs: randomInputs({ a: [m, n], b: [k, n] }),
      attrs: { transposeA: false, transposeB: true },
      impls,
    });
    rows.push({
      kernel: 'BatchMatMul',
      layer: `dW=Xᵀ·dY (${m}×${k})ᵀ·${m}×${n}`,
      macs: m * k * n,
      inputs: randomInputs({ a: [m, k], b: [m, n] }),
      attrs: { transposeA: true, transposeB: false },
      impls,
    });
  }
  return rows;
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    registerKernelPatches(backend);
  }
  console.log(`tfjs ${tf.version.tfjs}; median of ${REPS} after 1 warm-up unless n says otherwise; batch 64\n`);
  console.log('| kernel | layer | impl | n | median ms | GFLOP/s | speed-up |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of [...convRows(), ...matMulRows()]) {
    const results = new Map<string, number>();
    for (const impl of row.impls) {
      if (SKIP_STOCK_CPU && impl.label === 'stock cpu') continue;
      const { ms, n } = await measure(row, impl);
      results.set(impl.label, ms);
      const base = impl.baseline ? results.get(impl.baseline) : undefined;
      const speedup = base === undefined ? '' : `${(base / ms).toFixed(1)}× vs ${impl.baseline}`;
      const gflops = (2 * row.macs) / (ms * 1e6);
      console.log(
        `| ${row.kernel} | ${row.layer} | ${impl.label} | ${n} | ${ms.toFixed(2)} | ${gflops.toFixed(2)} | ` +
          `${speedup} |`,
      );
    }
  }
}

await main();
