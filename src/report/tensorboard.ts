// TensorBoard scalars for a run, in checkpoints/<run>/tb/. Only the native engine can write
// TensorBoard event files (tf.node.summaryFileWriter lives in @tensorflow/tfjs-node[-gpu],
// which links libtensorflow); on the other engines the logger does nothing.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const TB_DIR = 'tb';
export const NATIVE_ENGINE_NEEDED = 'TensorBoard logging needs the native engine (@tensorflow/tfjs-node or -gpu)';

export interface ScalarLogger {
  /** True when scalars really go to event files. */
  readonly enabled: boolean;
  scalar(name: string, value: number, step: number): void;
  flush(): void;
}

/** The part of tfjs-node's `tf.node` namespace used here. */
export interface NodeNamespace {
  summaryFileWriter(logdir: string): { scalar(name: string, value: number, step: number): void; flush(): void };
}

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/**
 * `tf.node` of whichever native package is loaded, looked up at run time: the packages are
 * optional, so nothing may import them statically. Both are CommonJS, and when the native
 * engine runs the package is already loaded, so require() returns it from the cache.
 */
export function loadNativeNamespace(): NodeNamespace | undefined {
  const require = createRequire(import.meta.url);
  for (const name of NATIVE_PACKAGES) {
    try {
      const node = (require(name) as { node?: NodeNamespace }).node;
      if (node && typeof node.summaryFileWriter === 'function') return node;
    } catch {
      // not installed, or its native library failed to load: try the next one
    }
  }
  return undefined;
}

const NO_OP: ScalarLogger = { enabled: false, scalar: () => undefined, flush: () => undefined };

/**
 * A scalar logger for the run in `runDir`. With engine 'tensorflow' it writes TensorBoard
 * event files to `<runDir>/tb/`; with any other engine it is a silent no-op. `log` hears, once,
 * when the native engine lacks the summary writer. `loadNode` is injectable for tests.
 */
export function createScalarLogger(
  engineName: string,
  runDir: string,
  log: (line: string) => void,
  loadNode: () => NodeNamespace | undefined = loadNativeNamespace,
): ScalarLogger {
  // Other engines stay silent: TensorBoard is a bonus of the native engine, not something the
  // user asked for, and a line about it on every run would be noise.
  if (engineName !== 'tensorflow') return NO_OP;
  const node = loadNode();
  if (!node) {
    log(`${NATIVE_ENGINE_NEEDED}: the engine is 'tensorflow' but tf.node.summaryFileWriter was not found`);
    return NO_OP;
  }
  const writer = node.summaryFileWriter(join(runDir, TB_DIR));
  return {
    enabled: true,
    scalar: (name, value, step) => {
      // TensorBoard rejects NaN/Infinity summaries on some versions; a diverged loss is
      // still worth seeing in metrics.jsonl, so only finite values go to the event file.
      if (Number.isFinite(value)) writer.scalar(name, value, step);
    },
    flush: () => writer.flush(),
  };
}
