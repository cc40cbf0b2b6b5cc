/**
 * Tile for wasm as block copies on the wasm heap, instead of the stock
 * kernel's per-element index arithmetic, slow on the [1,1,1,64] →
 * [64,14,14,64] tile in batch norm's gradient (tfjs-core FusedBatchNorm_grad;
 * docs/benchmarks.md#kernels).
 *
 *   out[i₀,…,i_{r−1}] = x[i₀ mod s₀, …, i_{r−1} mod s_{r−1}],  out shape sₐ·repsₐ.
 *
 * Let inBlock(a) = Π_{b>a} s_b and outBlock(a) = Π_{b>a} s_b·reps_b (elements
 * per index of axis a). Axis a is filled for one outer index by first filling
 * its s_a sub-blocks (recursively, from x) and then repeating that filled span
 * of s_a·outBlock(a) elements reps_a − 1 times, doubling the copied span each
 * time (copyWithin). Every element is copied, none computed, so the result is
 * bit-identical to the stock kernel for every dtype it stores in a typed array.
 */
import type { KernelConfig, KernelFunc, TensorInfo, TileAttrs } from '@tensorflow/tfjs';
import type { WasmHeap } from './wasm-heap.js';

type Typed = Float32Array | Int32Array | Uint8Array;

/** Replicates dst[start, start + span) so that it fills `times` consecutive spans. */
function repeatSpan(dst: Typed, start: number, span: number, times: number): void {
  const end = start + span * times;
  let filled = span;
  while (start + filled < end) {
    const n = Math.min(filled, end - start - filled);
    dst.copyWithin(start + filled, start, start + n);
    filled += n;
  }
}

/** Fills out[dstOff, dstOff + outBlock(axis−1)) from x[srcOff, …) along axes axis…r−1. */
function fillAxis(
  src: Typed,
  dst: Typed,
  shape: readonly number[],
  reps: readonly number[],
  inBlock: number[],
  outBlock: number[],
  axis: number,
  srcOff: number,
  dstOff: number,
): void {
  const size = shape[axis]!;
  if (axis === shape.length - 1) {
    dst.set(src.subarray(srcOff, srcOff + size), dstOff);
  } else {
    for (let i = 0; i < size; i++) {
      fillAxis(
        src,
        dst,
        shape,
        reps,
        inBlock,
        outBlock,
        axis + 1,
        srcOff + i * inBlock[axis]!,
        dstOff + i * outBlock[axis]!,
      );
    }
  }
  repeatSpan(dst, dstOff, size * outBlock[axis]!, reps[axis]!);
}

/** Tiles `src` (shape `shape`) into `dst` (shape shapeₐ·repsₐ). */
function tileInto(src: Typed, dst: Typed, shape: readonly number[], reps: readonly number[]): void {
  const rank = shape.length;
  if (dst.length === 0) return;
  if (rank === 0) {
    dst[0] = src[0]!;
    return;
  }
  const inBlock = new Array<number>(rank).fill(1);
  const outBlock = new Array<number>(rank).fill(1);
  for (let a = rank - 2; a >= 0; a--) {
    inBlock[a] = inBlock[a + 1]! * shape[a + 1]!;
    outBlock[a] = outBlock[a + 1]! * shape[a + 1]! * reps[a + 1]!;
  }
  fillAxis(src, dst, shape, reps, inBlock, outBlock, 0, 0, 0);
}

export function makeWasmTile(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: TensorInfo };
    if (x === undefined) throw new Error('Tile: input x is required');
    if (x.dtype === 'string' || x.dtype === 'complex64') return stock.kernelFunc(args);
    const { reps } = args.attrs as unknown as TileAttrs;
    const heap = args.backend as unknown as WasmHeap;
    const out = heap.makeOutput(
      x.shape.map((d, i) => d * reps[i]!),
      x.dtype,
    );
    // Both views are taken after makeOutput, which may grow (and so detach) the heap.
    tileInto(heap.typedArrayFromHeap(x) as Typed, heap.typedArrayFromHeap(out) as Typed, x.shape, reps);
    return out;
  };
}
