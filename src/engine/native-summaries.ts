// tfjs-node's `tf.node` namespace (its TensorBoard summary writer), looked up at run time: the
// native packages are optional, so nothing may import them statically. Both are CommonJS, and
// when the native engine runs its package is already loaded, so require() returns it from the
// cache.
import { createRequire } from 'node:module';

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/** The shape of report/tensorboard.ts's NodeNamespace (structural: the engine imports nothing above it). */
interface SummaryNamespace {
  summaryFileWriter(logdir: string): { scalar(name: string, value: number, step: number): void; flush(): void };
}

/** `tf.node` of whichever native package is loaded, or undefined. */
export function loadNativeSummaries(): SummaryNamespace | undefined {
  const require = createRequire(import.meta.url);
  for (const name of NATIVE_PACKAGES) {
    try {
      const node = (require(name) as { node?: SummaryNamespace }).node;
      if (node && typeof node.summaryFileWriter === 'function') return node;
    } catch {
      // not installed, or its native library failed to load: try the next one
    }
  }
  return undefined;
}
