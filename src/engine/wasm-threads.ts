/**
 * The multi-threaded wasm engine in Node: one thread per core by default
 * (GAN_WASM_THREADS=N to choose, 1 = the stock single-threaded binary). Extra
 * threads speed up training where cores are idle (XNNPACK convolutions and matrix
 * products run threaded), little where they are busy, and cost memory and start-up
 * time (docs/benchmarks.md#training-speed).
 * tfjs-backend-wasm ships the threaded SIMD binary but never uses it in Node
 * (tfjs #3830), for four reasons, each worked around here without touching the package:
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
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';

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

/**
 * A private directory for the worker script: per user, mode 0700, owned by us. The script is
 * executed, so it must not live where another local user could plant a file first.
 */
function privateDir(): string {
  const uid = process.getuid?.();
  const dir = join(os.tmpdir(), `gan-tfjs-wasm-${uid ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
    throw new Error(`${dir}: not a private directory of this user`);
  }
  return dir;
}

/** The pthread worker script as a file (content-addressed, so concurrent processes agree). */
function workerScriptFile(outDir: string): string {
  const { wasmWorkerContents } = require(join(outDir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The package escapes newlines the same way before making its blob: inside string
  // literals of the worker source, "\n" must stay an escape, not become a line break.
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  const dir = privateDir();
  const file = join(dir, `pthread-worker-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.cjs`);
  // An existing file is used only if it holds exactly this source (else it is rewritten).
  if (!existsSync(file) || readFileSync(file, 'utf8') !== source) {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, source, { mode: 0o600 });
    // rename is atomic: a concurrent reader sees the old file or the whole new one.
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

let installed: number | undefined;

/** The shipped threaded binary pre-creates 8 pthread workers and caps its pool at 8. */
export const MAX_WASM_THREADS = 8;

/**
 * Threads wanted for the wasm engine: GAN_WASM_THREADS, else one per core (at most 8). More
 * threads than cores only adds contention, so the default never exceeds the core count.
 */
export function wasmThreadsWanted(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.GAN_WASM_THREADS;
  if (raw === undefined || raw === '') return Math.min(MAX_WASM_THREADS, Math.max(1, os.availableParallelism()));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new UserError(`GAN_WASM_THREADS ${raw}: expected a whole number of threads from 1 to ${MAX_WASM_THREADS}`);
  }
  return n;
}

/** Threads the wasm engine runs with (1 unless the threaded binary started). */
export function wasmThreadsInUse(): number {
  if (installed === undefined || tf.findBackend('wasm') === null) return 1;
  const pkg = require('@tensorflow/tfjs-backend-wasm') as WasmPackage;
  return Math.max(1, pkg.getThreadsCount());
}

/**
 * Makes the next tf.setBackend('wasm') start the threaded binary with `threads`
 * threads. Call after importing @tensorflow/tfjs-backend-wasm. Does nothing when
 * threads ≤ 1, when the wasm backend is already running (it cannot be swapped
 * without losing its tensors), or on a second call.
 */
export function useThreadedWasm(threads: number): void {
  if (threads <= 1 || installed !== undefined || tf.findBackend('wasm') !== null) return;
  const pkg = require('@tensorflow/tfjs-backend-wasm') as WasmPackage;
  const registry = (
    tf.engine() as unknown as {
      registryFactory: Record<string, { factory: () => Promise<tf.KernelBackend>; priority: number }>;
    }
  ).registryFactory;
  const stock = registry['wasm'];
  if (!stock) throw new Error('useThreadedWasm: import @tensorflow/tfjs-backend-wasm first');
  installed = threads;
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        const module = await startThreaded(threads);
        pkg.setThreadsCount(threads);
        const backend = new pkg.BackendWasm(module); // creates the thread pool
        // Pool threads run for the life of the process and emscripten keeps running pthreads
        // ref'd, so Node would never exit on its own; they hold no work of their own.
        for (const worker of module.PThread?.runningWorkers ?? []) worker.unref();
        return backend;
      } catch {
        installed = undefined;
        return stock.factory();
      }
    },
    stock.priority,
  );
}
