/**
 * A multi-threaded wasm engine in Node — benchmark option only (`--engine wasm:2`):
 * measured on this 2-core shared machine it gained 1.03× on the DCGAN and 1.09×
 * on the MLP iteration for +135 MB RSS, so the CLI does not use it. tfjs-backend-wasm ships the threaded
 * SIMD binary but never uses it in Node (tfjs #3830), for three reasons, each
 * worked around here without touching the package:
 *  1. Its WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired false in Node → we
 *     instantiate the threaded factory (wasm-out/tfjs-backend-wasm-threaded-simd.js)
 *     ourselves and register it as the 'wasm' backend, so every wasm kernel
 *     and our patches apply unchanged.
 *  2. The pthread worker script is handed to `new Worker` as a blob: URL,
 *     which Node rejects (ERR_WORKER_PATH) → we write the package's worker
 *     source (wasmWorkerContents) to a file and return its path from locateFile;
 *     the worker loads the main script by file path (mainScriptUrlOrBlob).
 *  3. backend.cc caps the thread pool at emscripten_num_logical_cores() / 2
 *     (read once, when the module starts; in Node that is os.cpus().length),
 *     i.e. 1 thread on a 2-core machine → os.cpus is made to report twice the
 *     cores while the module starts, so the cap becomes the core count.
 *  4. Emscripten keeps running pthreads ref'd, so the process would not exit
 *     when its work is done → the pool's workers are unref'd once created.
 * If the threaded module fails to start, the stock single-threaded factory is
 * used instead (the engine then reports 1 thread).
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

interface WasmPackage {
  BackendWasm: new (module: unknown) => tf.KernelBackend;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: Record<string, unknown>;
  PThread?: { runningWorkers: Array<{ unref(): void }> };
}

type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

/** The pthread worker script as a file (content-addressed, so concurrent processes agree). */
function workerScriptFile(outDir: string): string {
  const { wasmWorkerContents } = require(join(outDir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // The package escapes newlines the same way before making its blob: inside string
  // literals of the worker source, "\n" must stay an escape, not become a line break.
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  const dir = join(os.tmpdir(), 'gan-tfjs-wasm');
  const file = join(dir, `pthread-worker-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.cjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, source);
    // rename is atomic: a concurrent reader sees the old name absent or the whole file.
    renameSync(tmp, file);
  }
  return file;
}

/** Starts the threaded module with the same JS bridge (module.tfjs) the package's init() sets up. */
async function startThreaded(threads: number): Promise<EmscriptenModule> {
  const mainScript = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const outDir = dirname(mainScript);
  const factory = require(mainScript) as Factory;
  const worker = workerScriptFile(outDir);
  const cpus = os.cpus;
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]!);
  let module: EmscriptenModule;
  try {
    module = await factory({
      locateFile: (path: string) => (path.endsWith('.worker.js') ? worker : join(outDir, path)),
      mainScriptUrlOrBlob: mainScript,
    });
  } finally {
    os.cpus = cpus;
  }
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/**
 * Makes the next tf.setBackend('wasm') start the threaded binary with `threads`
 * threads. Call after importing @tensorflow/tfjs-backend-wasm and before the wasm
 * backend is first initialised. Returns a function that reports the thread count in use.
 */
export function useThreadedWasm(threads: number): () => number {
  const pkg = require('@tensorflow/tfjs-backend-wasm') as WasmPackage;
  const registry = (tf.engine() as unknown as { registryFactory: Record<string, { factory: () => Promise<tf.KernelBackend>; priority: number }> }).registryFactory;
  const stock = registry['wasm'];
  if (!stock) throw new Error('useThreadedWasm: import @tensorflow/tfjs-backend-wasm first');
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', async () => {
    try {
      const module = await startThreaded(threads);
      pkg.setThreadsCount(threads);
      const backend = new pkg.BackendWasm(module); // creates the thread pool
      // Pool threads run for the life of the process and emscripten keeps running pthreads
      // ref'd, so Node would never exit on its own; they hold no work of their own.
      for (const worker of module.PThread?.runningWorkers ?? []) worker.unref();
      return backend;
    } catch {
      return stock.factory();
    }
  }, stock.priority);
  return () => pkg.getThreadsCount();
}
