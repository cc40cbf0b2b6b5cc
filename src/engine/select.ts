// Engine selection: the one place that knows which tfjs backends exist and how to load them.
// auto takes the first that loads, in the order of config.ts's ENGINES (webgpu only on a
// hardware adapter; `--backend webgpu` also takes a software one). Everything above this module
// is written against the plain tfjs API and runs unchanged on any of them.
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, ENGINES } from '../config.js';
import { UserError } from '../errors.js';
import { loadBlas, type BlasLoad } from './blas.js';
import { runsOnBlas } from './kernels/wasm-blas-matmul.js';
import {
  registerAddNormalNoiseGradient,
  registerScaleShiftGradient,
  registerComparisonGradients,
  registerBroadcastReductionGradients,
  registerFastLeakyReluGradient,
} from './gradients.js';
import { useFusedBatchNorm } from './fused-batch-norm.js';
import { registerKernelPatches } from './kernels/index.js';
import { usePrunableFusedOps } from './prunable-fused-ops.js';
import { engineUpdates, type EngineUpdates } from './updates.js';
import {
  describeWebgpu,
  gpuDevicePresent,
  libraryFound,
  loadWebgpu,
  WebgpuUnavailableError,
  type WebgpuInfo,
} from './webgpu.js';
import { useThreadedWasm, wasmThreadsInUse, wasmThreadsWanted } from './wasm-threads.js';

export type EngineName = (typeof ENGINES)[number];
export type EngineRequest = (typeof BACKENDS)[number];
export const ENGINE_REQUESTS: readonly EngineRequest[] = BACKENDS;

/** Why an engine was not used: a few words for the engine line, the whole story for `gan doctor`. */
export interface SkippedEngine {
  provider: string;
  reason: string;
  detail: string;
}

export interface Engine {
  /** The tfjs backend name now active. */
  name: EngineName;
  /** Which npm package provides it, e.g. "@tensorflow/tfjs-node-gpu". */
  provider: string;
  /** Better engines that were not used, and why. */
  skipped: SkippedEngine[];
  /** Kernels this project replaced on that backend (missing or slow stock kernels). */
  patchedKernels: string[];
  /** True when the native package is the CUDA build. */
  cuda: boolean;
  /** Threads of the wasm engine's pool (1 on the other engines: the native one manages its own). */
  threads: number;
  /** The wasm engine's matrix products: the BLAS they run on (and its threads), or why XNNPACK. */
  matmul?: { blas: string; threads: number } | { xnnpack: string };
  /** Faster Adam and EMA updates for the trainer, where this engine has kernels for them. */
  updates: EngineUpdates;
  /** The webgpu engine's adapter. */
  gpu?: WebgpuInfo;
  /** What is wrong with the engine that runs (e.g. tfjs-node-gpu without its CUDA libraries). */
  problems: string[];
}

/**
 * What the command will mostly compute, for the wasm engine's threads when a BLAS is there:
 * `dense` (MLPs, the semi-supervised GAN: matrix products) gives them to the BLAS and keeps
 * tfjs's own pool at one thread; `conv` (the default) gives them to tfjs's pool, whose XNNPACK
 * runs the convolutions, and the BLAS runs in the calling thread. Two threaded pools on the same
 * cores thrash (docs/engines.md#matrix-products-on-a-system-blas).
 */
export type Workload = 'dense' | 'conv';

/** What loading an engine found: the webgpu adapter, the wasm engine's BLAS (or why none). */
interface Loaded {
  gpu?: WebgpuInfo;
  blas?: BlasLoad;
}

/** One candidate engine: how to load it, and under which name tfjs registers it. */
interface Candidate {
  engine: EngineName;
  provider: string;
  load: (request: EngineRequest, workload: Workload) => Promise<Loaded>;
}

/** Dynamic import by a name TypeScript need not resolve: these packages are optional. */
async function importOptional(name: string): Promise<void> {
  await import(name);
}

const candidates: Candidate[] = [
  {
    engine: 'tensorflow',
    provider: '@tensorflow/tfjs-node-gpu',
    load: async () => (await importOptional('@tensorflow/tfjs-node-gpu'), {}),
  },
  {
    engine: 'tensorflow',
    provider: '@tensorflow/tfjs-node',
    load: async () => (await importOptional('@tensorflow/tfjs-node'), {}),
  },
  {
    engine: 'webgpu',
    provider: 'webgpu (Dawn)',
    load: async (request) => {
      if (request === 'auto' && !gpuDevicePresent()) {
        throw new WebgpuUnavailableError('webgpu engine: no GPU device here (no /dev/dri/renderD*, no /dev/nvidia*)');
      }
      return { gpu: await loadWebgpu({ allowSoftware: request === 'webgpu' }) };
    },
  },
  {
    engine: 'wasm',
    provider: '@tensorflow/tfjs-backend-wasm',
    load: async (_request, workload) => {
      await importOptional('@tensorflow/tfjs-backend-wasm');
      const threads = wasmThreadsWanted();
      const blas = loadBlas();
      const toBlas = blas.blas !== undefined && workload === 'dense';
      blas.blas?.setThreads(toBlas ? threads : 1);
      useThreadedWasm(toBlas ? 1 : threads);
      return { blas };
    },
  },
  { engine: 'cpu', provider: '@tensorflow/tfjs (cpu)', load: async () => ({}) },
];

/** A loader failure: "not installed" or the loader's own first line. */
function describeLoadFailure(provider: string, err: unknown): SkippedEngine {
  if (err instanceof WebgpuUnavailableError) {
    const reason = /only a software adapter/.test(err.message)
      ? 'found only a software GPU'
      : /not installed/.test(err.message)
        ? 'not installed'
        : 'found no GPU';
    return { provider, reason, detail: err.message };
  }
  const e = err as NodeJS.ErrnoException;
  if ((e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && String(e.message).includes(provider)) {
    const native = provider.includes('tfjs-node');
    return {
      provider,
      reason: 'not installed',
      detail: `${provider} not installed${native ? ': its install step downloads libtensorflow (see below)' : ''}`,
    };
  }
  const first = String(e?.message ?? err).split('\n')[0];
  return { provider, reason: 'failed to load', detail: `${provider} failed to load: ${first}` };
}

/**
 * The wasm glue registers process-wide uncaughtException/unhandledRejection handlers that
 * rethrow, which would turn our one-line errors into stack traces. We remove whatever
 * listeners appeared while the backend initialised.
 */
async function withoutNewProcessHandlers(init: () => Promise<boolean>): Promise<boolean> {
  type Listener = (...args: unknown[]) => void;
  const events = ['uncaughtException', 'unhandledRejection'];
  const listeners = (e: string) => process.listeners(e as 'uncaughtException') as Listener[];
  const before = new Map(events.map((e) => [e, new Set(listeners(e))]));
  try {
    return await init();
  } finally {
    for (const e of events) {
      for (const listener of listeners(e)) {
        if (!before.get(e)!.has(listener)) process.removeListener(e, listener);
      }
    }
  }
}

/**
 * tfjs's cpu backend prints a multi-line "install tfjs-node" banner on its first tensor write
 * in Node, even when another engine runs. The engine line and `gan doctor` already say which
 * engine runs and how to get the native one, so the banner is switched off.
 */
function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

async function activate(candidate: Candidate, request: EngineRequest, workload: Workload): Promise<Loaded> {
  const loaded = await candidate.load(request, workload);
  const ok = await withoutNewProcessHandlers(() => tf.setBackend(candidate.engine));
  if (!ok || tf.getBackend() !== candidate.engine) {
    throw new Error(`tf.setBackend('${candidate.engine}') did not take effect`);
  }
  await tf.ready();
  return loaded;
}

/**
 * tfjs-node-gpu loads without its CUDA libraries and then quietly runs on the CPU (libtensorflow
 * only logs it): name what is missing so the engine line does not claim a GPU.
 */
async function cudaProblems(): Promise<string[]> {
  const missing: string[] = [];
  for (const lib of ['libcudart.so.11.0', 'libcudnn.so.8']) {
    if ((await libraryFound(lib)) === false) missing.push(lib);
  }
  return missing.length === 0
    ? []
    : [
        `tfjs-node-gpu runs on the CPU: ${missing.join(' and ')} not found (libtensorflow 2.9.1 needs CUDA 11.2 ` +
          'and cuDNN 8.1 exactly)',
      ];
}

/**
 * Picks and activates an engine. `auto` takes the best one that loads; a named engine that
 * cannot be loaded is an error (never a silent fallback to something slower). The first call in a
 * process fixes the wasm engine's threads (`workload`).
 */
export async function selectEngine(request: EngineRequest, workload: Workload = 'conv'): Promise<Engine> {
  if (!ENGINE_REQUESTS.includes(request)) {
    throw new UserError(`--backend ${String(request)}: unknown engine (expected one of ${ENGINE_REQUESTS.join(', ')})`);
  }
  wasmThreadsWanted(); // a bad GAN_WASM_THREADS is an error, not a reason to skip wasm
  const skipped: SkippedEngine[] = [];
  const pool = request === 'auto' ? candidates : candidates.filter((c) => c.engine === request);
  for (const candidate of pool) {
    let loaded: Loaded;
    try {
      loaded = await activate(candidate, request, workload);
    } catch (err) {
      if (err instanceof UserError) throw err; // a bad setting (e.g. GAN_BLAS), not a missing engine
      skipped.push(describeLoadFailure(candidate.provider, err));
      continue;
    }
    registerFastLeakyReluGradient();
    registerBroadcastReductionGradients();
    registerAddNormalNoiseGradient();
    registerScaleShiftGradient();
    registerComparisonGradients();
    usePrunableFusedOps();
    useFusedBatchNorm();
    silenceCpuBanner();
    const { gpu, blas } = loaded;
    const patchedKernels = registerKernelPatches(candidate.engine, blas?.blas);
    // What runs the products is whichever kernel the process registered first.
    const onBlas = blas?.blas && runsOnBlas(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc) ? blas.blas : undefined;
    return {
      name: candidate.engine,
      provider: candidate.provider,
      skipped,
      patchedKernels,
      cuda: candidate.provider.endsWith('-gpu'),
      threads: candidate.engine !== 'wasm' ? 1 : Math.max(wasmThreadsInUse(), onBlas?.threads ?? 1),
      ...(blas
        ? {
            matmul: onBlas
              ? { blas: onBlas.description, threads: onBlas.threads }
              : { xnnpack: blas.reason ?? 'kernels registered earlier in this process' },
          }
        : {}),
      // One D pass over real and fake images pays on webgpu (one pass's dispatches, not two); on the CPU
      // engines it measured 0.96–0.99× of two (docs/benchmarks.md).
      updates: { ...engineUpdates, oneDPass: candidate.engine === 'webgpu' },
      ...(gpu ? { gpu } : {}),
      problems: candidate.provider.endsWith('-gpu') ? await cudaProblems() : [],
    };
  }
  throw new UserError(`--backend ${request}: engine unavailable (${skipped.map((s) => s.detail).join('; ')})`);
}

/** The one short line every command prints first: which engine, and why not a better one. */
export function describeEngine(engine: Engine): string {
  const gpu = engine.gpu;
  const what = gpu
    ? `webgpu, ${gpu.device || gpu.description} via ${gpu.backend}${gpu.software ? ' (a software GPU: slow)' : ''}`
    : engine.cuda
      ? `tensorflow (CUDA${engine.problems.length ? ' libraries missing: running on the CPU' : ''})`
      : [
          engine.name,
          ...(engine.threads > 1 ? [`${engine.threads} threads`] : []),
          ...(engine.matmul && 'blas' in engine.matmul ? [engine.matmul.blas.replace(/ \(.*/, '')] : []),
        ].join(', ');
  if (engine.skipped.length === 0) return `engine: ${what}`;
  // "tfjs-node-gpu, tfjs-node not installed": providers grouped by reason, in order.
  const byReason = new Map<string, string[]>();
  for (const s of engine.skipped)
    byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.provider.replace('@tensorflow/', '')]);
  const why = [...byReason].map(([reason, providers]) => `${providers.join(', ')} ${reason}`).join('; ');
  return `engine: ${what} (${why}; see gan doctor)`;
}

function describeMatmul(matmul: NonNullable<Engine['matmul']>): string {
  if (!('blas' in matmul)) return `XNNPACK (${matmul.xnnpack})`;
  const threads = `${matmul.threads} thread${matmul.threads === 1 ? '' : 's'}`;
  const policy = "dense models give it the engine's threads, convolutional ones keep them for XNNPACK";
  return `${matmul.blas}, ${threads} (${policy})`;
}

/** The long version for `gan doctor`: provider, patched kernels, each skipped engine's full reason. */
export function engineDetails(engine: Engine): string[] {
  return [
    `engine: ${engine.name} via ${engine.provider}${engine.cuda ? ' (CUDA)' : ''}`,
    ...(engine.gpu ? [`gpu: ${describeWebgpu(engine.gpu)}`] : []),
    ...engine.problems.map((p) => `problem: ${p}`),
    ...(engine.matmul ? [`matrix products: ${describeMatmul(engine.matmul)}`] : []),
    `patched kernels: ${engine.patchedKernels.length > 0 ? engine.patchedKernels.join(', ') : 'none'}`,
    ...engine.skipped.map((s) => `not used: ${s.detail}`),
  ];
}

/** Resolution order: --backend flag, then GAN_BACKEND, then the config's `backend`. */
export function requestedEngine(flag: string | undefined, configValue: string | undefined): EngineRequest {
  const value = flag ?? process.env.GAN_BACKEND ?? configValue ?? 'auto';
  const source = flag !== undefined ? '--backend' : process.env.GAN_BACKEND !== undefined ? 'GAN_BACKEND' : 'backend';
  if (!(ENGINE_REQUESTS as readonly string[]).includes(value)) {
    throw new UserError(`${source} ${value}: unknown engine (expected one of ${ENGINE_REQUESTS.join(', ')})`);
  }
  return value as EngineRequest;
}
