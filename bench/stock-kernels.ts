/**
 * Switching patched kernels back to stock, for A/B runs (bench/case.ts, bench/ab.ts).
 * `captureStock` must run before the engine's patches are installed; `stockSwitch` after.
 * Our own kernels (Gan…: GanAdamUpdate, GanEmaUpdate) are removed in the stock state — their
 * callers then run tfjs's op sequences. Any other kernel without a stock version (wasm
 * Conv2DBackpropFilter, which conv models need) cannot be named.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';

export type StockConfigs = Map<string, KernelConfig | undefined>;

/** The kernels registered now under these names (before patching: the stock ones, or none). */
export function captureStock(names: string[], engineName: string): StockConfigs {
  return new Map(names.map((name) => [name, tf.getKernel(name, engineName)]));
}

export interface StockSwitch {
  /** Puts the stock kernels in place. */
  stock(): void;
  /** Puts the patched kernels back. */
  patched(): void;
}

export function stockSwitch(
  stockConfigs: StockConfigs,
  engineName: string,
  patchedNames: readonly string[],
): StockSwitch {
  const patchedConfigs = new Map<string, KernelConfig>();
  for (const name of stockConfigs.keys()) {
    const current = tf.getKernel(name, engineName);
    if (!patchedNames.includes(name) || !current) throw new Error(`--stock ${name}: not patched on ${engineName}`);
    if (!stockConfigs.get(name) && !name.startsWith('Gan'))
      throw new Error(`--stock ${name}: no stock version on ${engineName}`);
    patchedConfigs.set(name, current);
  }
  const swap = (to: (name: string) => KernelConfig | undefined) => () => {
    for (const name of stockConfigs.keys()) {
      if (tf.getKernel(name, engineName)) tf.unregisterKernel(name, engineName);
      const config = to(name);
      if (config) tf.registerKernel(config);
    }
  };
  return { stock: swap((name) => stockConfigs.get(name)), patched: swap((name) => patchedConfigs.get(name)) };
}
