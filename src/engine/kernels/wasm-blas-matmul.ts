/**
 * BatchMatMul and _FusedMatMul for wasm on a system BLAS (src/engine/blas.ts): one cblas_sgemm
 * per batch entry, reading the operands and writing the product in place on the wasm heap (no
 * copies). sgemm takes transposed operands as stored, so none of the XNNPACK plans
 * (wasm-batch-matmul.ts, wasm-fused-matmul.ts) are needed on this path.
 *
 * _FusedMatMul's bias (rank 1, as the stock wasm kernel requires) is written into the output rows
 * first and the product added to it (beta = 1); an activation runs afterwards as its own stock
 * kernel. Integer products (and anything the stock kernel would reject) stay stock.
 */
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { Blas } from '../blas.js';
import { kernelInvoker } from './invoke.js';
import type { WasmHeap } from './wasm-heap.js';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

/** Batch of a rank-3 operand, or undefined when the shapes cannot broadcast as one loop. */
function batchOf(a: TensorInfo, b: TensorInfo): number | undefined {
  if (a.shape.length !== 3 || b.shape.length !== 3) return undefined;
  const [ba, bb] = [a.shape[0]!, b.shape[0]!];
  return ba === bb || bb === 1 ? ba : ba === 1 ? bb : undefined;
}

/**
 * C = op(A)·op(B) (+ bias rows) into a new [batch, m, n] tensor, or undefined when this path does
 * not apply (the caller runs the stock kernel).
 */
function gemm(
  blas: Blas,
  backend: KernelBackend & WasmHeap,
  a: TensorInfo,
  b: TensorInfo,
  attrs: MatMulAttrs,
  bias?: TensorInfo,
): TensorInfo | undefined {
  const batch = batchOf(a, b);
  if (batch === undefined || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const { transposeA, transposeB } = attrs;
  const [, aRows, aCols] = a.shape as [number, number, number];
  const [, bRows, bCols] = b.shape as [number, number, number];
  const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const n = transposeB ? bRows : bCols;
  // Empty products stay stock: BLAS rejects zero strides.
  if ((transposeB ? bCols : bRows) !== k || m * n * k === 0) return undefined;
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== n || bias.dtype !== 'float32')) return undefined;

  const out = backend.makeOutput([batch, m, n], 'float32');
  // Views after the allocation: a growing heap detaches earlier ones.
  const av = backend.typedArrayFromHeap(a) as Float32Array;
  const bv = backend.typedArrayFromHeap(b) as Float32Array;
  const cv = backend.typedArrayFromHeap(out) as Float32Array;
  if (bias) {
    const row = backend.typedArrayFromHeap(bias) as Float32Array;
    for (let r = 0; r < batch * m; r++) cv.set(row, r * n);
  }
  const aStride = a.shape[0] === 1 ? 0 : m * k;
  const bStride = b.shape[0] === 1 ? 0 : k * n;
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

export function makeBlasBatchMatMul(stock: KernelConfig, blas: Blas): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs;
    if (a === undefined || b === undefined) throw new Error('BatchMatMul: inputs a and b are required');
    const backend = args.backend as KernelBackend & WasmHeap;
    return gemm(blas, backend, a, b, args.attrs as unknown as MatMulAttrs) ?? stock.kernelFunc(args);
  };
}

/** The stock kernel (and its attributes) for each fusable activation other than linear. */
const ACTIVATIONS: Record<string, (attrs: MatMulAttrs) => [string, NamedAttrMap]> = {
  relu: () => ['Relu', {}],
  relu6: () => ['Relu6', {}],
  elu: () => ['Elu', {}],
  sigmoid: () => ['Sigmoid', {}],
  leakyrelu: (attrs) => ['LeakyRelu', { alpha: attrs.leakyreluAlpha ?? 0 }],
};

export function makeBlasFusedMatMul(stock: KernelConfig, blas: Blas, backendName: string): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as MatMulAttrs;
    const activation = attrs.activation ?? 'linear';
    if (!a || !b || preluActivationWeights || (activation !== 'linear' && !ACTIVATIONS[activation]))
      return stock.kernelFunc(args);
    const backend = args.backend as KernelBackend & WasmHeap;
    const y = gemm(blas, backend, a, b, attrs, bias);
    if (!y) return stock.kernelFunc(args);
    if (activation === 'linear') return y;
    const invoker = kernelInvoker(backend, backendName);
    const [kernelName, kernelAttrs] = ACTIVATIONS[activation]!(attrs);
    const activated = invoker.run(kernelName, { x: y }, kernelAttrs);
    invoker.free(y);
    return activated;
  };
}
