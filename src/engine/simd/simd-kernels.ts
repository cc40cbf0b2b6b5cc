/**
 * Our SIMD loops (kernels.wat) instantiated on a tfjs wasm backend's own heap: the module
 * imports the backend's WebAssembly.Memory, so its functions take tensors' heap offsets and
 * read and write them in place — one call where tfjs would run many kernels, and no copies.
 *
 * The memory is where tfjs-backend-wasm's Emscripten glue keeps it: `Module.wasmMemory` in the
 * threaded binary (a shared memory it creates), `Module.asm.memory` in the others (exported).
 * Not found (another tfjs build): `simdKernelsFor` returns undefined and the stock kernels stay.
 */
import type { DataId, KernelBackend, TensorInfo } from '@tensorflow/tfjs';
import { SIMD_WASM_PLAIN, SIMD_WASM_SHARED } from './kernels-binary.js';

/** kernels.wat's exports. Pointers are byte offsets into the tfjs heap. */
export interface SimdKernels {
  adam(
    x: number,
    m: number,
    v: number,
    g: number,
    xOut: number,
    mOut: number,
    vOut: number,
    n: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    biasCorrection1: number,
    biasCorrection2: number,
    epsilon: number,
    negLearningRate: number,
  ): void;
  colsum(src: number, dst: number, rows: number, cols: number, divisor: number): void;
  /** dst[j·dstStride + i] = src[i·srcStride + j] for i < rows, j < cols (strides in floats). */
  transpose(src: number, dst: number, rows: number, cols: number, srcStride: number, dstStride: number): void;
  /** x[i][j] += bias[j] over a row-major rows × cols matrix, in place. */
  addRows(x: number, rows: number, cols: number, bias: number): void;
  /** Copies `count` runs of `len` floats: run i from src + i·srcStride to dst + i·dstStride (floats). */
  copyRuns(src: number, dst: number, count: number, len: number, srcStride: number, dstStride: number): void;
  /** cols[(b,oh,ow), (kh,kw,ci)] = x[b, oh·sh+kh−top, ow·sw+kw−left, ci] (0 outside). All loop counts ≥ 1. */
  im2col(x: number, cols: number, ...geometry: ConvGeometry): void;
  /** dx = 0, then dx[b, oh·sh+kh−top, ow·sw+kw−left, ci] += cols[(b,oh,ow), (kh,kw,ci)] inside the image. */
  col2im(cols: number, dx: number, ...geometry: ConvGeometry): void;
  /**
   * out = offset[c] + ((x − mean[c])·scale[c]) / sqrt(variance[c] + eps), channels-last, C per pixel
   * (see kernels.wat).
   */
  batchNorm(
    x: number,
    out: number,
    pixels: number,
    C: number,
    mean: number,
    variance: number,
    offset: number,
    scale: number,
    eps: number,
  ): void;
  /** dst[i] = src[indices[i]] for rows of `len` 4-byte values; indices int32, in range. */
  gatherRows(src: number, dst: number, indices: number, count: number, len: number): void;
  /**
   * dst[i] = src[i] + f32(σ·table[u_i]) over n floats, u from xorshift128 state x, y, z, w
   * (src/random.ts normalArray's stream, bit for bit).
   */
  addNormal(src: number, dst: number, n: number, sigma: number, table: number, ...state: number[]): void;
  /** out[i][j] = x[i][j]·scale[j] + bias[j], then max(·, 0) when relu is 1 (see kernels.wat). */
  scaleShift(x: number, scale: number, bias: number, out: number, rows: number, cols: number, relu: number): void;
  /** scaleShift's gradients: dx, and the column sums dScale and dBias (see kernels.wat). */
  scaleShiftGrad(
    dy: number,
    x: number,
    y: number,
    scale: number,
    dx: number,
    dScale: number,
    dBias: number,
    rows: number,
    cols: number,
    relu: number,
  ): void;
  /** out[i] = softplus(x[i]) over n floats (see kernels.wat). */
  softplus(x: number, out: number, n: number): void;
  /** out = a·keep + b·take over n floats (float32 products and sum). */
  blend(a: number, b: number, out: number, n: number, keep: number, take: number): void;
}

/** B, H, W, CI, OH, OW, KH, KW, sh, sw, top, left of a convolution (NHWC), as im2col/col2im take them. */
export type ConvGeometry = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmBackendInternals {
  wasm?: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  getMemoryOffset?(dataId: DataId): number;
}

const instances = new WeakMap<object, SimdKernels>();

function memoryOf(backend: WasmBackendInternals): WebAssembly.Memory | undefined {
  const memory = backend.wasm?.wasmMemory ?? backend.wasm?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

/** The SIMD kernels bound to this backend's heap, or undefined where its memory cannot be reached. */
export function simdKernelsFor(backend: KernelBackend): SimdKernels | undefined {
  const cached = instances.get(backend);
  if (cached) return cached;
  const internals = backend as unknown as WasmBackendInternals;
  const memory = memoryOf(internals);
  if (!memory || typeof internals.getMemoryOffset !== 'function') return undefined;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const bytes = Buffer.from(shared ? SIMD_WASM_SHARED : SIMD_WASM_PLAIN, 'base64');
  // Synchronous compile: the module is small, and kernels are synchronous.
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const kernels = instance.exports as unknown as SimdKernels;
  instances.set(backend, kernels);
  return kernels;
}

/** A tensor's byte offset on the wasm heap. */
export function heapOffset(backend: KernelBackend, t: TensorInfo): number {
  return (backend as unknown as Required<Pick<WasmBackendInternals, 'getMemoryOffset'>>).getMemoryOffset(t.dataId);
}
