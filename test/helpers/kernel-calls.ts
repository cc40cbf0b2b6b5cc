/**
 * Helpers for kernel equivalence tests: seeded inputs, running a stock kernel function directly
 * or the registered kernel through the engine, and swapping a stock kernel back in.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { relativeError } from './compare.ts';

/** Deterministic values in [-1, 1) (64-bit LCG; tests must be reproducible). */
export function seeded(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = BigInt(seed) * 2654435761n + 1n;
  for (let i = 0; i < n; i++) {
    s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    out[i] = Number(s >> 40n) / 2 ** 23 - 1;
  }
  return out;
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function assertClose(actual: ArrayLike<number>, ref: ArrayLike<number>, tol: number, what: string): void {
  const err = relativeError(actual, ref);
  assert.ok(err < tol, `${what}: relative error ${err} ≥ ${tol}`);
}

/** Runs `fn` with `backend` active; tensors it creates belong to that backend. */
export async function onBackend<T>(backend: string, fn: () => T): Promise<T> {
  assert.ok(await tf.setBackend(backend), `backend ${backend} failed to initialise`);
  return fn();
}

/** Calls a kernel function directly on the active backend and reads its output and shape. */
export function callKernelShaped(
  config: KernelConfig,
  inputs: Record<string, Tensor>,
  attrs: NamedAttrMap,
): { shape: number[]; values: Float32Array } {
  const info = config.kernelFunc({ inputs, backend: tf.backend(), attrs }) as TensorInfo;
  const out = tf.engine().makeTensorFromTensorInfo(info);
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return { shape: info.shape, values };
}

/** Calls a kernel function directly on the active backend and reads its output. */
export function callKernel(config: KernelConfig, inputs: Record<string, Tensor>, attrs: NamedAttrMap): Float32Array {
  return callKernelShaped(config, inputs, attrs).values;
}

/** Runs whatever kernel is registered for the active backend, via the engine; output and shape. */
export function runRegisteredShaped(
  kernelName: string,
  inputs: Record<string, Tensor>,
  attrs: NamedAttrMap,
): { shape: number[]; values: Float32Array } {
  const out = tf.engine().runKernel(kernelName, inputs, attrs) as Tensor;
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return { shape: out.shape, values };
}

/** The registered kernel (a patch) gives exactly the stock kernel's output and shape. */
export function assertIdenticalToStock(stock: KernelConfig, inputs: Record<string, Tensor>, attrs: NamedAttrMap): void {
  assert.deepEqual(runRegisteredShaped(stock.kernelName, inputs, attrs), callKernelShaped(stock, inputs, attrs));
}

/** Runs whatever kernel is registered for the active backend, via the engine. */
export function runRegistered(kernelName: string, inputs: Record<string, Tensor>, attrs: NamedAttrMap): Float32Array {
  const out = tf.engine().runKernel(kernelName, inputs, attrs) as Tensor;
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}

/** Temporarily puts `stock` back in place of whatever is registered under its name. */
export function withKernel<T>(stock: KernelConfig, fn: () => T): T {
  const current = tf.getKernel(stock.kernelName, stock.backendName);
  tf.unregisterKernel(stock.kernelName, stock.backendName);
  tf.registerKernel(stock);
  try {
    return fn();
  } finally {
    tf.unregisterKernel(stock.kernelName, stock.backendName);
    tf.registerKernel(current);
  }
}

export interface MatMulCase {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

/** All four transpose combinations of op(A) m×k · op(B) k×n, with optional leading batch dims. */
export function matMulCases(
  m: number,
  k: number,
  n: number,
  batchA: number[] = [],
  batchB: number[] = [],
): MatMulCase[] {
  const out: MatMulCase[] = [];
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      out.push({
        a: [...batchA, ...(transposeA ? [k, m] : [m, k])],
        b: [...batchB, ...(transposeB ? [n, k] : [k, n])],
        transposeA,
        transposeB,
      });
    }
  }
  return out;
}

/**
 * The body every patched-kernel case shares: on `backend`, make the inputs, run the registered
 * kernel and the stock one on them, compare (within `tolerance`; 0: identical), dispose the
 * inputs. `also` sees the inputs and the stock output for checks of its own. Returns nothing:
 * a mismatch fails the test.
 */
export async function assertPatchMatchesStock(
  backend: string,
  stock: KernelConfig,
  makeInputs: () => Record<string, Tensor>,
  attrs: NamedAttrMap,
  tolerance: number,
  also?: (inputs: Record<string, Tensor>, reference: Float32Array) => void,
): Promise<void> {
  await onBackend(backend, () => {
    const inputs = makeInputs();
    try {
      const reference = callKernel(stock, inputs, attrs);
      const patched = runRegistered(stock.kernelName, inputs, attrs);
      if (tolerance === 0) assert.deepEqual(Array.from(patched), Array.from(reference), `patched vs stock ${backend}`);
      else assertClose(patched, reference, tolerance, `patched vs stock ${backend}`);
      also?.(inputs, reference);
    } finally {
      tf.dispose(Object.values(inputs));
    }
  });
}
