/**
 * Per-kernel profile of one call of `fn` via tf.profile: every kernel the
 * engine runs, with its time (backend.time: wall time of the synchronous
 * kernel on cpu and wasm). Composite kernels (our patches) count as one call;
 * tfjs's custom-gradient wrappers ("…__op") are not kernels and are left out.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelStat {
  name: string;
  calls: number;
  ms: number;
}

export interface Profile {
  kernelCalls: number;
  kernelMs: number;
  kernels: KernelStat[];
}

const isWrapper = (name: string): boolean => name.endsWith('__op');

export async function profileKernels(fn: () => Promise<unknown>): Promise<Profile> {
  const info = await tf.profile(async () => {
    await fn();
  });
  const byName = new Map<string, KernelStat>();
  for (const k of info.kernels) {
    if (isWrapper(k.name)) continue;
    const stat = byName.get(k.name) ?? { name: k.name, calls: 0, ms: 0 };
    stat.calls += 1;
    stat.ms += Number(await k.kernelTimeMs);
    byName.set(k.name, stat);
  }
  const kernels = [...byName.values()].sort((a, b) => b.ms - a.ms);
  return {
    kernelCalls: kernels.reduce((n, k) => n + k.calls, 0),
    kernelMs: kernels.reduce((n, k) => n + k.ms, 0),
    kernels,
  };
}
