/**
 * The machine's own BLAS for the wasm engine's matrix products: OpenBLAS (Debian's
 * `libopenblas0`), Intel MKL, or Apple's Accelerate, called through koffi (an optional npm package
 * with prebuilt foreign-function bindings; no compiler needed).
 *
 * Why: XNNPACK, inside tfjs-backend-wasm, runs 128-bit SIMD without fused multiply-add and repacks
 * its right operand on every call, single-threaded; a native BLAS uses the CPU's widest vectors
 * and both cores for the same product (docs/engines.md#matrix-products-on-a-system-blas). The
 * semi-supervised GAN is almost nothing but matrix products.
 *
 * `GAN_BLAS` picks: unset tries the libraries below in order, `off` keeps XNNPACK, a path or
 * library name opens exactly that one (an error if it cannot be opened). Without koffi or a
 * library the engine keeps XNNPACK and `gan doctor` says why.
 */
import { createRequire } from 'node:module';
import { UserError } from '../errors.js';

const require = createRequire(import.meta.url);

/** Tried in order when GAN_BLAS is unset. Reference BLAS (libblas.so.3) is slower than XNNPACK: never. */
const LIBRARIES = [
  'libopenblas.so.0',
  'libopenblas.so',
  'libmkl_rt.so.2',
  'libmkl_rt.so',
  '/System/Library/Frameworks/Accelerate.framework/Accelerate',
  'libopenblas.dylib',
];

const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

export interface Blas {
  /** e.g. "OpenBLAS 0.3.21 (libopenblas.so.0)". */
  readonly description: string;
  /** Threads it runs products on (1: in the calling thread); process-wide. */
  readonly threads: number;
  /** Sets `threads` (where the library lets us: OpenBLAS, MKL). */
  setThreads(threads: number): void;
  /**
   * C = alpha·op(A)·op(B) + beta·C on row-major float32 matrices: op(A) m×k, op(B) k×n, C m×n;
   * lda/ldb/ldc are the row strides as stored. The arrays may be views of a wasm heap.
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ): void;
}

/** Either a BLAS, or why there is none (for `gan doctor`). */
export type BlasLoad = { blas: Blas; reason?: undefined } | { blas?: undefined; reason: string };

interface Koffi {
  load(path: string): KoffiLibrary;
}
interface KoffiLibrary {
  func(signature: string): (...args: unknown[]) => unknown;
}

function optionalFunction(lib: KoffiLibrary, signature: string): ((...args: unknown[]) => unknown) | undefined {
  try {
    return lib.func(signature);
  } catch {
    return undefined; // not every BLAS has it (e.g. the OpenBLAS-only thread and config calls)
  }
}

function open(koffi: Koffi, name: string): Blas {
  const lib = koffi.load(name);
  const gemm = lib.func(
    'void cblas_sgemm(int, int, int, int, int, int, float, float *, int, float *, int, float, _Inout_ float *, int)',
  );
  const setThreads =
    optionalFunction(lib, 'void openblas_set_num_threads(int)') ??
    optionalFunction(lib, 'void MKL_Set_Num_Threads(int)');
  let threads = 1;
  setThreads?.(threads);
  const config = optionalFunction(lib, 'const char *openblas_get_config()')?.() as string | undefined;
  const library = name.split('/').pop()!;
  const version = config?.match(/^OpenBLAS [\d.]+/)?.[0];
  return {
    description: version ? `${version} (${library})` : library,
    get threads() {
      return threads;
    },
    setThreads(n) {
      if (!setThreads) return;
      setThreads(n);
      threads = n;
    },
    sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      gemm(
        ROW_MAJOR,
        transA ? TRANS : NO_TRANS,
        transB ? TRANS : NO_TRANS,
        m,
        n,
        k,
        alpha,
        a,
        lda,
        b,
        ldb,
        beta,
        c,
        ldc,
      );
    },
  };
}

const loaded = new Map<string, BlasLoad>();

/**
 * Opens the BLAS that `env.GAN_BLAS` asks for, once per process and value, running in the calling
 * thread until `setThreads`; see the file comment.
 */
export function loadBlas(env: NodeJS.ProcessEnv = process.env): BlasLoad {
  const wanted = env.GAN_BLAS?.trim() ?? '';
  let result = loaded.get(wanted);
  if (!result) loaded.set(wanted, (result = openBlas(wanted)));
  return result;
}

function openBlas(wanted: string): BlasLoad {
  if (wanted === 'off') return { reason: 'GAN_BLAS=off' };
  let koffi: Koffi;
  try {
    koffi = require('koffi') as Koffi;
  } catch (err) {
    const reason = `koffi not installed (${String((err as Error).message).split('\n')[0]})`;
    if (wanted) throw new UserError(`GAN_BLAS ${wanted}: cannot be used: ${reason}`);
    return { reason };
  }
  if (wanted) {
    try {
      return { blas: open(koffi, wanted) };
    } catch (err) {
      const why = String((err as Error).message).split('\n')[0];
      throw new UserError(
        `GAN_BLAS ${wanted}: cannot open it (${why}); expected a BLAS library with cblas_sgemm, or off`,
      );
    }
  }
  for (const name of LIBRARIES) {
    try {
      return { blas: open(koffi, name) };
    } catch {
      // not on this machine: try the next
    }
  }
  return { reason: `no BLAS library found (tried ${LIBRARIES.join(', ')}); on Debian: apt install libopenblas0` };
}
