/**
 * BatchMatMul and _FusedMatMul for wasm on a system BLAS (src/engine/blas.ts): one cblas_sgemm
 * per batch entry, reading the operands and writing the product in place on the wasm heap (no
 * copies). sgemm takes transposed operands as stored, so none of the XNNPACK plans
 * (wasm-batch-matmul.ts, wasm-fused-matmul.ts) are needed on this path.
 *
 * Operands of rank 2, or rank 3 with equal batches or a batch of 1 on one side, take this path;
 * _FusedMatMul's bias (rank 1, as the stock wasm kernel requires) is written into the output rows
 * first and the product added to it (beta = 1); an activation runs afterwards as its own stock
 * kernel. Anything else (integer products, other ranks, PReLU) goes to `fallback`: the XNNPACK
 * patch of the same kernel.
 */
import type { KernelBackend, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { Blas } from '../blas.js';
import { kernelInvoker } from './invoke.js';
import type { WasmHeap } from './wasm-heap.js';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

/** The kernel functions this file made: whether the registered kernel is ours (Engine.matmul). */
const blasKernels = new WeakSet<KernelFunc>();

export function runsOnBlas(kernelFunc: KernelFunc | undefined): boolean {
  return kernelFunc !== undefined && blasKernels.has(kernelFunc);
}

/** The batch of the product: 0 for two matrices, else the rank-3 batch; undefined if unsupported. */
function batchOf(a: TensorInfo, b: TensorInfo): number | undefined {
  if (a.shape.length === 2 && b.shape.length === 2) return 0;
  if (a.shape.length !== 3 || b.shape.length !== 3) return undefined;
  const [ba, bb] = [a.shape[0]!, b.shape[0]!];
  return ba === bb || bb === 1 ? ba : ba === 1 ? bb : undefined;
}

/**
 * C = op(A)·op(B) (+ bias rows) into a new [batch, m, n] tensor ([m, n] for two matrices), or
 * undefined when this path does not apply.
 */
function gemm(
  blas: Blas,
  backend: KernelBackend & WasmHeap,
  a: TensorInfo,
  b: TensorInfo,
  attrs: MatMulAttrs,
  bias?: TensorInfo,
): TensorInfo | undefined {
  const batched = batchOf(a, b);
  if (batched === undefined || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const batch = Math.max(1, batched);
  const { transposeA, transposeB } = attrs;
  const [aRows, aCols] = a.shape.slice(-2) as [number, number];
  const [bRows, bCols] = b.shape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const n = transposeB ? bRows : bCols;
  // Empty products stay stock: BLAS rejects zero strides.
  if ((transposeB ? bCols : bRows) !== k || m * n * k === 0) return undefined;
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== n || bias.dtype !== 'float32')) return undefined;

  const out = backend.makeOutput(batched === 0 ? [m, n] : [batch, m, n], 'float32');
  // Views after the allocation: a growing heap detaches earlier ones.
  const av = backend.typedArrayFromHeap(a) as Float32Array;
  const bv = backend.typedArrayFromHeap(b) as Float32Array;
  const cv = backend.typedArrayFromHeap(out) as Float32Array;
  if (bias) {
    const row = backend.typedArrayFromHeap(bias) as Float32Array;
    for (let r = 0; r < batch * m; r++) cv.set(row, r * n);
  }
  const aStride = batched === 0 || a.shape[0] === 1 ? 0 : m * k;
  const bStride = batched === 0 || b.shape[0] === 1 ? 0 : k * n;
  for (let i = 0; i < batch; i++) {
    blas.sgemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      1,
      av.subarray(i * aStride, i * aStride + m * k),
      aCols,
      bv.subarray(i * bStride, i * bStride + k * n),
      bCols,
      bias ? 1 : 0,
      cv.subarray(i * m * n, (i + 1) * m * n),
      n,
    );
  }
  return out;
}

export function makeBlasBatchMatMul(fallback: KernelFunc, blas: Blas): KernelFunc {
  const kernel: KernelFunc = (args) => {
    const { a, b } = args.inputs;
    if (a === undefined || b === undefined) throw new Error('BatchMatMul: inputs a and b are required');
    const backend = args.backend as KernelBackend & WasmHeap;
    return gemm(blas, backend, a, b, args.attrs as unknown as MatMulAttrs) ?? fallback(args);
  };
  blasKernels.add(kernel);
  return kernel;
}

/** The stock kernel (and its attributes) for each fusable activation other than linear. */
const ACTIVATIONS: Record<string, (attrs: MatMulAttrs) => [string, NamedAttrMap]> = {
  relu: () => ['Relu', {}],
  relu6: () => ['Relu6', {}],
  elu: () => ['Elu', {}],
  sigmoid: () => ['Sigmoid', {}],
  leakyrelu: (attrs) => ['LeakyRelu', { alpha: attrs.leakyreluAlpha ?? 0.2 }],
};

export function makeBlasFusedMatMul(fallback: KernelFunc, blas: Blas, backendName: string): KernelFunc {
  const kernel: KernelFunc = (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as MatMulAttrs;
    const activation = attrs.activation ?? 'linear';
    if (!a || !b || preluActivationWeights || (activation !== 'linear' && !ACTIVATIONS[activation]))
      return fallback(args);
    const backend = args.backend as KernelBackend & WasmHeap;
    const y = gemm(blas, backend, a, b, attrs, bias);
    if (!y) return fallback(args);
    if (activation === 'linear') return y;
    const invoker = kernelInvoker(backend, backendName);
    const [kernelName, kernelAttrs] = ACTIVATIONS[activation]!(attrs);
    const activated = invoker.run(kernelName, { x: y }, kernelAttrs);
    invoker.free(y);
    return activated;
  };
  blasKernels.add(kernel);
  return kernel;
}
