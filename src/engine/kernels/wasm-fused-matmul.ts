/**
 * _FusedMatMul (a dense layer's forward: y = x·W + b) for wasm, computed as yᵀ = Wᵀ·xᵀ when the
 * weights are large next to the batch.
 *
 * The stock kernel hands W to XNNPACK as the fully-connected operator's weights, which XNNPACK
 * packs into its own layout when it first sees W — single-threaded, and for a large layer slower
 * than the product itself at batch 64 — and caches per W. Every optimizer step makes new weights,
 * so each layer pays the packing once per iteration, a large share of an MLP iteration
 * (docs/benchmarks.md#kernel-design-measurements). Swapped, the packed operand is xᵀ
 * (K×M, batch M): W is transposed instead (our SIMD transpose, an order of magnitude cheaper per
 * weight than packing), x and the M×N result are transposed (small), and the bias is added
 * afterwards (kernels.wat addRows). Same products summed in the same order; the bias is added
 * after the sum instead of first, so results agree with the stock kernel to float32 rounding.
 * Used for linear, untransposed, batch-1 products with a per-column bias (or none) whose
 * weights are at least SWAP_MIN_WEIGHTS and at least 4× the activations; the rest (and
 * inference on large batches) stay stock.
 *
 * Wᵀ is kept while W's buffer lives (a GAN uses each weight version 2–3 times an iteration:
 * the D step and the G step); a cached Wᵀ whose W has been freed is released at the next
 * _FusedMatMul call. Buffers never change after they are written, so a cached transpose never
 * goes stale.
 */
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, simdKernelsFor, type SimdKernels } from '../simd/simd-kernels.js';
import { kernelInvoker } from './invoke.js';
import type { WasmHeap } from './wasm-heap.js';

/** Smaller weights pack quickly: not worth three extra passes. */
const SWAP_MIN_WEIGHTS = 32768;

interface CachedTranspose {
  wT: TensorInfo;
  k: number;
  n: number;
}

/**
 * Wᵀ per weight buffer, for one backend. Keys are tfjs data ids (objects, never reused); the
 * shape is checked too, since Reshape shares a buffer between shapes. Cached buffers are the
 * backend's, outside tf.memory()'s count: one per live large dense weight (plus, until the next
 * _FusedMatMul call, those of weights freed since).
 */
class TransposeCache {
  private readonly entries = new Map<object, CachedTranspose>();

  constructor(private readonly backend: KernelBackend & WasmHeap & { dataIdMap: { has(id: object): boolean } }) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Wᵀ for W ([1, K, N] → [1, N, K]), transposing on the first request. `owned` means the
   * caller must free it (W's buffer is cached under another shape).
   */
  get(simd: SimdKernels, w: TensorInfo, k: number, n: number): { wT: TensorInfo; owned: boolean } {
    const entry = this.entries.get(w.dataId);
    if (entry && entry.k === k && entry.n === n) return { wT: entry.wT, owned: false };
    const wT = this.backend.makeOutput([1, n, k], 'float32');
    simd.transpose(heapOffset(this.backend, w), heapOffset(this.backend, wT), k, n, n, k);
    if (entry) return { wT, owned: true };
    this.entries.set(w.dataId, { wT, k, n });
    return { wT, owned: false };
  }

  /** Frees the transposes of weights whose buffers are gone. */
  releaseDead(): void {
    for (const [id, { wT }] of this.entries) {
      if (this.backend.dataIdMap.has(id)) continue;
      this.backend.disposeData(wT.dataId, true);
      this.entries.delete(id);
    }
  }
}

const caches = new WeakMap<object, TransposeCache>();

/** The cache of a backend that has the data-id map it needs, else undefined (no caching). */
function cacheFor(backend: KernelBackend & WasmHeap): TransposeCache | undefined {
  let cache = caches.get(backend);
  if (!cache) {
    const internals = backend as KernelBackend & WasmHeap & { dataIdMap?: { has?: unknown } };
    if (typeof internals.dataIdMap?.has !== 'function') return undefined;
    caches.set(backend, (cache = new TransposeCache(backend as ConstructorParameters<typeof TransposeCache>[0])));
  }
  return cache;
}

/** Transposes cached for this backend's live weights (tests: the cache fills and empties as it should). */
export function cachedTransposeCount(backend: KernelBackend): number {
  const cache = caches.get(backend);
  cache?.releaseDead();
  return cache?.size ?? 0;
}

interface FusedMatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
}

export function makeWasmFusedMatMul(stock: KernelConfig, backendName: string): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const { transposeA, transposeB, activation } = args.attrs as unknown as FusedMatMulAttrs;
    const backend = args.backend as KernelBackend & WasmHeap;
    const cache = cacheFor(backend);
    cache?.releaseDead();
    const simd = simdKernelsFor(backend);
    if (
      !simd ||
      !a ||
      !b ||
      transposeA ||
      transposeB ||
      (activation ?? 'linear') !== 'linear' ||
      preluActivationWeights
    )
      return stock.kernelFunc(args);
    if (
      a.shape.length !== 3 ||
      b.shape.length !== 3 ||
      a.shape[0] !== 1 ||
      b.shape[0] !== 1 ||
      a.dtype !== 'float32' ||
      b.dtype !== 'float32'
    ) {
      return stock.kernelFunc(args);
    }
    const [, m, k] = a.shape as [number, number, number];
    const n = b.shape[2]!;
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== n || bias.dtype !== 'float32'))
      return stock.kernelFunc(args);
    if (k * n < SWAP_MIN_WEIGHTS || k * n < 4 * m * k) return stock.kernelFunc(args);

    const invoker = kernelInvoker(backend, backendName);
    const transposed = (t: TensorInfo, rows: number, cols: number): TensorInfo => {
      const out = backend.makeOutput([1, cols, rows], 'float32');
      simd.transpose(heapOffset(backend, t), heapOffset(backend, out), rows, cols, cols, rows);
      return out;
    };
    const { wT, owned } = cache ? cache.get(simd, b, k, n) : { wT: transposed(b, k, n), owned: true }; // [1, N, K]
    const xT = transposed(a, m, k); // [1, K, M]
    let yT: TensorInfo;
    try {
      yT = invoker.run('BatchMatMul', { a: wT, b: xT }, { transposeA: false, transposeB: false }); // [1, N, M]
    } finally {
      invoker.free(xT);
      if (owned) invoker.free(wT);
    }
    const y = transposed(yT, n, m); // [1, M, N]
    invoker.free(yT);
    if (bias) simd.addRows(heapOffset(backend, y), m, n, heapOffset(backend, bias));
    return y;
  };
}
