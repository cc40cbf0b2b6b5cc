/**
 * Entry point for kernel patches: fills gaps and replaces slow stock kernels
 * of the active engine. Idempotent; returns the names of the kernels patched
 * (for the engine report line). Engines without patches return [].
 */
import { registerCpuKernels } from './cpu.js';
import { registerWasmKernels } from './wasm.js';
import { registerWebgpuKernels } from './webgpu.js';

const byBackend: Record<string, () => string[]> = {
  cpu: registerCpuKernels,
  wasm: registerWasmKernels,
  webgpu: registerWebgpuKernels,
};

export function registerKernelPatches(backendName: string): string[] {
  return byBackend[backendName]?.() ?? [];
}
