/**
 * BatchMatMul for wasm that keeps transposed products on XNNPACK.
 *
 * The stock wasm kernel (tfjs-backend-wasm batch_mat_mul_impl.cc) uses
 * XNNPACK's fully-connected operator only when neither operand is transposed
 * and both batch sizes are 1; anything else runs a scalar blocked loop, an
 * order of magnitude slower (docs/benchmarks.md#kernel-design-measurements).
 * Backprop of a dense layer needs exactly the transposed products (dA = dY·Bᵀ,
 * dB = Aᵀ·dY). This patch materialises transposes (Transpose kernel copies) so
 * that the stock kernel can be called with both flags off.
 *
 * With op(A) m×k and op(B) k×n, C = op(A)·op(B) = (op(B)ᵀ·op(A)ᵀ)ᵀ, so there
 * are two plans:
 *   direct:  C = op(A)·op(B), transposing whichever operand is flagged;
 *   swapped: Cᵀ = op(B)ᵀ·op(A)ᵀ — a flagged operand is used as stored, an
 *            unflagged one is transposed — and C is transposed back.
 * XNNPACK also repacks the right operand (its weights) on every call, so the
 * cost of a plan is the elements copied by transposes plus the right operand's
 * size; the cheaper plan is used. For dY·Wᵀ with a 64-row batch that is the
 * swapped plan (faster than transposing W: only batch-sized operands are
 * copied and packed, W is used as stored).
 * Tiny products stay on the stock loop: each patched call pays a fixed cost
 * (creating an XNNPACK operator and packing the right operand) that the scalar
 * loop does not, so the patch loses below MIN_MACS multiply-adds and when the
 * product is no more than MIN_MACS_PER_COPY multiply-adds per copied element
 * (docs/benchmarks.md#kernel-design-measurements).
 * Both plans add the same products in the same order as an untransposed
 * product, so results equal the fast path's exactly.
 * Batched products (batch > 1) stay on the stock kernel: they never reach the
 * fast path, transposed or not.
 */
import type { BatchMatMulAttrs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { kernelInvoker, type KernelInvoker } from './invoke.js';

/** Below these the stock loop is used (see above). */
const MIN_MACS = 8192;
const MIN_MACS_PER_COPY = 4;

const batchSize = (t: TensorInfo): number => t.shape.slice(0, -2).reduce((p, d) => p * d, 1);
const rows = (t: TensorInfo): number => t.shape[t.shape.length - 2]!;
const cols = (t: TensorInfo): number => t.shape[t.shape.length - 1]!;

/** Materialises the transpose of the last two axes. */
function transposeLastTwo(k: KernelInvoker, t: TensorInfo): TensorInfo {
  const rank = t.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  return k.run('Transpose', { x: t }, { perm });
}

/** Runs the stock kernel untransposed on `left`·`right`, transposing inputs flagged for it. */
function productOf(
  k: KernelInvoker,
  stock: KernelConfig,
  left: TensorInfo,
  transposeLeft: boolean,
  right: TensorInfo,
  transposeRight: boolean,
): TensorInfo {
  const l = transposeLeft ? transposeLastTwo(k, left) : left;
  const r = transposeRight ? transposeLastTwo(k, right) : right;
  const out = k.runFunc(stock.kernelFunc, { a: l, b: r }, { transposeA: false, transposeB: false });
  if (transposeLeft) k.free(l);
  if (transposeRight) k.free(r);
  return out;
}

export function makeWasmBatchMatMul(stock: KernelConfig, backendName: string): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    if (a === undefined || b === undefined) throw new Error('BatchMatMul: inputs a and b are required');
    const patchable =
      (transposeA || transposeB) &&
      batchSize(a) === 1 &&
      batchSize(b) === 1 &&
      a.dtype === 'float32' &&
      b.dtype === 'float32';
    if (!patchable) return stock.kernelFunc(args);

    const m = transposeA ? cols(a) : rows(a);
    const inner = transposeA ? rows(a) : cols(a);
    const n = transposeB ? rows(b) : cols(b);
    const directCost = (transposeA ? m * inner : 0) + (transposeB ? inner * n : 0) + inner * n;
    const swappedCost = (transposeB ? 0 : inner * n) + (transposeA ? 0 : m * inner) + m * n + inner * m;

    const macs = m * inner * n;
    if (macs < MIN_MACS || macs <= MIN_MACS_PER_COPY * Math.min(directCost, swappedCost)) return stock.kernelFunc(args);

    const k = kernelInvoker(args.backend as KernelBackend, backendName);
    if (directCost <= swappedCost) return productOf(k, stock, a, transposeA, b, transposeB);
    const cT = productOf(k, stock, b, !transposeB, a, !transposeA);
    const c = transposeLastTwo(k, cT);
    k.free(cT);
    return c;
  };
}
