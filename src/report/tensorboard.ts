// TensorBoard scalars for a run, in checkpoints/<run>/tb/. Only the native engine can write
// TensorBoard event files (tf.node.summaryFileWriter lives in its package, which links
// libtensorflow, and the engine looks it up: engine/native-summaries.ts); on the other engines
// the logger does nothing.
import { join } from 'node:path';

export const TB_DIR = 'tb';
export const NATIVE_ENGINE_NEEDED = 'TensorBoard logging needs the native engine (@tensorflow/tfjs-node or -gpu)';

export interface ScalarLogger {
  /** True when scalars really go to event files. */
  readonly enabled: boolean;
  scalar(name: string, value: number, step: number): void;
  flush(): void;
}

/** The part of tfjs-node's `tf.node` namespace used here (the engine's loadNativeSummaries finds it). */
export interface NodeNamespace {
  summaryFileWriter(logdir: string): { scalar(name: string, value: number, step: number): void; flush(): void };
}

const NO_OP: ScalarLogger = { enabled: false, scalar: () => undefined, flush: () => undefined };

/**
 * A scalar logger for the run in `runDir`. With engine 'tensorflow' it writes TensorBoard
 * event files to `<runDir>/tb/`; with any other engine it is a silent no-op. `log` hears, once,
 * when the native engine lacks the summary writer. `loadNode` looks up tfjs-node's `tf.node`.
 */
export function createScalarLogger(
  engineName: string,
  runDir: string,
  log: (line: string) => void,
  loadNode: () => NodeNamespace | undefined,
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
