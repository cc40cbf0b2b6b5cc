/**
 * Entry point for kernel patches: fills gaps and replaces slow stock kernels
 * of the active engine. Idempotent; returns the names of the kernels patched
 * (for the engine report line). Engines without patches return [].
 */
import type { Blas } from '../blas.js';
import { registerCpuKernels } from './cpu.js';
import { registerWasmKernels } from './wasm.js';
import { registerWebgpuKernels } from './webgpu.js';

const byBackend: Record<string, (blas?: Blas) => string[]> = {
  cpu: registerCpuKernels,
  wasm: registerWasmKernels,
  webgpu: registerWebgpuKernels,
};

/** `blas`: the machine's BLAS for the wasm engine's matrix products (src/engine/blas.ts). */
export function registerKernelPatches(backendName: string, blas?: Blas): string[] {
  return byBackend[backendName]?.(blas) ?? [];
}
