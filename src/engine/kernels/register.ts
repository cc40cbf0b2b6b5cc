/**
 * Idempotent kernel registration shared by the per-backend patch files.
 *
 * `addKernel` fills a gap (no kernel registered yet). `replaceKernel` swaps a
 * stock kernel for a patched one; the patch receives the stock KernelConfig so
 * it can fall back to it, and the stock setupFunc is carried over because the
 * engine calls setupFunc only for kernels registered at backend
 * initialisation — without it the stock kernelFunc (e.g. wasm's cwrap'd entry
 * points) would never be set up when the patch is installed before
 * tf.setBackend().
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';

/** Marks configs we registered, so a second call recognises its own patch. */
const patched = new WeakSet<KernelConfig>();

function lookup(kernelName: string, backendName: string): KernelConfig | undefined {
  return tf.getKernel(kernelName, backendName) ?? undefined;
}

function install(config: KernelConfig): void {
  patched.add(config);
  tf.registerKernel(config);
}

/** Registers a kernel the backend lacks. Returns false if one is already there. */
export function addKernel(kernelName: string, backendName: string, kernelFunc: KernelFunc): boolean {
  const existing = lookup(kernelName, backendName);
  if (existing !== undefined) return patched.has(existing);
  install({ kernelName, backendName, kernelFunc });
  return true;
}

/**
 * Replaces a stock kernel with `makePatch(stock)`. Returns true when the patch
 * is (now or already) installed, false when there is no stock kernel to patch.
 */
export function replaceKernel(
  kernelName: string,
  backendName: string,
  makePatch: (stock: KernelConfig) => KernelFunc,
): boolean {
  const existing = lookup(kernelName, backendName);
  if (existing === undefined) return false;
  if (patched.has(existing)) return true;
  tf.unregisterKernel(kernelName, backendName);
  install({
    kernelName,
    backendName,
    kernelFunc: makePatch(existing),
    setupFunc: existing.setupFunc,
    disposeFunc: existing.disposeFunc,
  });
  return true;
}
