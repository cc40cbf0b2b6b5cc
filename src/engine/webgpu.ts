// The webgpu engine: @tensorflow/tfjs-backend-webgpu on Dawn's Node bindings (npm `webgpu`).
//
// Why this module builds the backend itself instead of letting tfjs-backend-webgpu do it:
// - the package registers 'webgpu' at import time only if `globalThis.navigator.gpu` exists, and
//   then asks `navigator.gpu.requestAdapter({powerPreference})` with the default feature level
//   ('core'). Dawn's OpenGL ES backend (the only one that works on Mesa llvmpipe, i.e. CPU-only CI)
//   offers compatibility-level adapters only, so that request gets `null` and the package crashes
//   on `adapter.features`. We request the adapter and device ourselves and register
//   `new WebGPUBackend(device, adapterInfo)` under the name 'webgpu'.
// - Dawn's `create(flags)` picks ONE backend per GPU object (default Vulkan on Linux; `backend=`
//   flag or DAWNNODE_BACKEND env var to change it), so "try Vulkan, then OpenGL ES" means one
//   `create()` per backend.
//
// Facts this relies on (measured with webgpu 0.6.2 / tfjs 4.22.0 / Node 20, see REPORT.md):
// - `GPUAdapterInfo.isFallbackAdapter` is Dawn's "adapter type is CPU". Vulkan lavapipe/SwiftShader
//   report it; Mesa llvmpipe behind the GL ES backend does NOT (device 'llvmpipe-llvm-15-0-6-256-bits-',
//   description 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6'), so we also match names.
// - GPUAdapterInfo has no backend type: we know it because we forced it with `backend=`.
// - `dataSync()`/`arraySync()` throw on this backend in Node (its readSync draws through
//   OffscreenCanvas): read tensors with `await t.data()` / `await t.array()`.
// - Dawn keeps the event loop alive while a device exists: call `releaseWebgpu()` before exit.
// - Dawn writes to fd 2 itself while it looks for adapters: "Warning: max... artificially reduced"
//   on llvmpipe, "Couldn't create the default EGL display" with an "at …" line without a driver.
//   Only --verbose lets those through (native-output.ts).
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { askDawnInChild } from './dawn-probe.js';
import { nativeOutputShown, withoutNativeOutput } from './native-output.js';

export type DawnBackend = 'vulkan' | 'opengles' | 'opengl' | 'metal' | 'd3d12' | 'd3d11';
export type FeatureLevel = 'core' | 'compatibility';

export interface WebgpuInfo {
  /** Dawn backend the adapter came from (forced with create(['backend=...'])). */
  backend: DawnBackend;
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Dawn's own flag: the adapter's type is CPU (lavapipe, SwiftShader on Vulkan). */
  isFallbackAdapter: boolean;
  /** isFallbackAdapter, or the name says llvmpipe/lavapipe/softpipe/SwiftShader/WARP. */
  software: boolean;
  featureLevel: FeatureLevel;
  /** Adapters Dawn listed on each backend tried, e.g. "opengles: llvmpipe (LLVM 15.0.6, 256 bits)". */
  adapters: string[];
  /** Why earlier backends were not used, one line each. */
  skipped: string[];
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  /** Wall time of loadWebgpu, ms (Dawn instance + adapter + device + backend registration). */
  startupMs: number;
}

export interface LoadWebgpuOptions {
  /** Accept a software adapter (llvmpipe etc.). Default false: CI/tests pass true. */
  allowSoftware?: boolean;
  /** Backends to try in order. Default: GAN_WEBGPU_BACKENDS (comma list) or ['vulkan', 'opengles']. */
  backends?: DawnBackend[];
  /** Substring of the adapter's name (Dawn's `adapter=` flag). Default: GAN_WEBGPU_ADAPTER. */
  adapterName?: string;
  /** Extra Dawn flags, e.g. 'enable-dawn-features=dump_shaders'. */
  dawnFlags?: string[];
}

/** A one-line, user-facing reason why the webgpu engine cannot run. */
export class WebgpuUnavailableError extends Error {
  override name = 'WebgpuUnavailableError';
}

// ---- minimal structural types for what we use of WebGPU (no dependency on @webgpu/types) ----
interface GpuAdapterInfoLike {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}
interface GpuDeviceLike {
  destroy(): void;
  lost: Promise<unknown>;
  features: { has(name: string): boolean };
}
interface GpuAdapterLike {
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  info?: GpuAdapterInfoLike;
  requestDevice(desc?: unknown): Promise<GpuDeviceLike>;
}
interface GpuLike {
  requestAdapter(opts?: { powerPreference?: string; featureLevel?: string }): Promise<GpuAdapterLike | null>;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}
type WebGPUBackendCtor = new (device: unknown, adapterInfo?: unknown) => tf.KernelBackend;

const SOFTWARE_NAME = /llvmpipe|lavapipe|softpipe|swiftshader|basic render driver|\bwarp\b/i;
const DEFAULT_BACKENDS: DawnBackend[] = ['vulkan', 'opengles'];
const KNOWN_BACKENDS: DawnBackend[] = ['vulkan', 'opengles', 'opengl', 'metal', 'd3d12', 'd3d11'];
/** An adapter name nothing matches: Dawn then rejects with the list of adapters it found. */
const NO_SUCH_ADAPTER = 'adapter=\u0001list-adapters\u0001';

interface Loaded {
  gpu: GpuLike;
  device: GpuDeviceLike;
  info: WebgpuInfo;
}
let loaded: Loaded | undefined;

/** Dynamic import by a name TypeScript need not resolve (the package is optional). */
async function importOptional<T>(name: string): Promise<T> {
  return (await import(name)) as T;
}

function firstLine(err: unknown): string {
  const e = err as { message?: unknown };
  return String(e?.message ?? err).split('\n')[0]!;
}

async function loadDawn(): Promise<DawnModule> {
  try {
    return await importOptional<DawnModule>('webgpu');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const msg = String(e?.message ?? err);
    if ((e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && /'webgpu'|"webgpu"/.test(msg)) {
      throw new WebgpuUnavailableError('webgpu engine: npm package `webgpu` not installed (npm install webgpu)');
    }
    if (/dawn\.node/.test(msg) && /Cannot find module/.test(msg)) {
      throw new WebgpuUnavailableError(
        `webgpu engine: the \`webgpu\` package has no Dawn build for ${process.platform}-${process.arch}`,
      );
    }
    if (/GLIBC|GLIBCXX/.test(msg)) {
      throw new WebgpuUnavailableError(
        `webgpu engine: dawn.node needs a newer C library (glibc >= 2.34, libstdc++ of GCC >= 12): ${firstLine(err)}`,
      );
    }
    throw new WebgpuUnavailableError(`webgpu engine: dawn.node failed to load: ${firstLine(err)}`);
  }
}

async function loadTfjsWebgpu(): Promise<WebGPUBackendCtor> {
  try {
    const mod = (await import('@tensorflow/tfjs-backend-webgpu')) as unknown as { WebGPUBackend: WebGPUBackendCtor };
    return mod.WebGPUBackend;
  } catch (err) {
    throw new WebgpuUnavailableError(
      `webgpu engine: @tensorflow/tfjs-backend-webgpu failed to load: ${firstLine(err)}`,
    );
  }
}

// ---- library presence checks: only to name what is missing, never to skip silently ----

let ldCache: string | undefined;
async function ldSoCache(): Promise<string> {
  if (ldCache === undefined) {
    ldCache = await readFile('/etc/ld.so.cache', 'latin1').catch(() => '');
  }
  return ldCache;
}

/** True/false when we can tell whether the dynamic loader finds `soname`; undefined off Linux. */
export async function libraryFound(soname: string): Promise<boolean | undefined> {
  if (process.platform !== 'linux') return undefined;
  if ((await ldSoCache()).includes(`${soname}\0`)) return true;
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/lib/x86_64-linux-gnu',
    '/usr/lib/x86_64-linux-gnu',
    '/lib/aarch64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/lib64',
    '/usr/lib64',
    '/lib',
    '/usr/lib',
    '/usr/local/lib',
  ];
  return dirs.some((d) => existsSync(`${d}/${soname}`));
}

/** What a backend needs that this machine lacks, as short phrases (empty when nothing obvious). */
async function missingFor(backend: DawnBackend): Promise<string[]> {
  const missing: string[] = [];
  if (backend === 'vulkan') {
    if ((await libraryFound('libvulkan.so.1')) === false) missing.push('libvulkan.so.1 (Debian/Ubuntu: libvulkan1)');
    else {
      missing.push(
        'a Vulkan driver that Dawn accepts (ICD json in /usr/share/vulkan/icd.d or VK_DRIVER_FILES; ' +
          'GPU containers need NVIDIA_DRIVER_CAPABILITIES to include graphics; ' +
          '--verbose shows why Dawn refused a driver)',
      );
    }
  } else if (backend === 'opengles' || backend === 'opengl') {
    if ((await libraryFound('libEGL.so')) === false)
      missing.push('libEGL.so (Debian/Ubuntu: libegl-dev; Dawn opens the unversioned name)');
    const platform = process.env.EGL_PLATFORM;
    const headless = !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
    if (headless && platform && !['surfaceless', 'device'].includes(platform)) {
      missing.push(`a display for EGL_PLATFORM=${platform} (headless: EGL_PLATFORM=surfaceless)`);
    } else if (headless && !platform) {
      missing.push('EGL_PLATFORM=surfaceless');
    }
    missing.push('an EGL driver (Mesa: libegl-mesa0 libgl1-mesa-dri; NVIDIA: libEGL_nvidia)');
  }
  return missing;
}

function parseAdapterList(err: unknown): string[] {
  // Dawn's text: "...\nAvailable adapters:\n * backend: 'opengles', name: 'llvmpipe (LLVM 15.0.6, 256 bits)'"
  const out: string[] = [];
  for (const m of String((err as { message?: unknown })?.message ?? err).matchAll(
    /\* backend: '([^']*)', name: '([^']*)'/g,
  )) {
    out.push(`${m[1]}: ${m[2]}`);
  }
  return out;
}

/**
 * Names of the adapters Dawn sees on one backend ([] when none). Asks with an adapter name that
 * matches nothing, which makes Dawn reject with its list. Needs no device and keeps nothing alive.
 */
export async function listDawnAdapters(backend: DawnBackend, dawn?: DawnModule): Promise<string[]> {
  const d = dawn ?? (await loadDawn());
  if (backend === 'opengles' || backend === 'opengl') defaultEglPlatform();
  const flags = [`backend=${backend}`, NO_SUCH_ADAPTER];
  // In a child process unless --verbose: Dawn prints warnings while it looks (dawn-probe.ts).
  const [answer] = (nativeOutputShown() ? undefined : await askDawnInChild([flags])) ?? [];
  if (answer) return answer.found ? ['(unnamed adapter)'] : parseAdapterList(answer.error ?? '');
  return withoutNativeOutput(async () => {
    const gpu = d.create(flags);
    try {
      const a = await gpu.requestAdapter({ featureLevel: 'compatibility' });
      return a ? ['(unnamed adapter)'] : [];
    } catch (err) {
      return parseAdapterList(err);
    }
  });
}

/** Mesa's EGL picks X11 by default and fails headless; surfaceless needs no display. */
function defaultEglPlatform(): void {
  if (!process.env.EGL_PLATFORM && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    process.env.EGL_PLATFORM = 'surfaceless'; // setenv(): libEGL reads it at eglGetDisplay time
  }
}

function backendsWanted(opts: LoadWebgpuOptions): DawnBackend[] {
  if (opts.backends) return opts.backends;
  const env = process.env.GAN_WEBGPU_BACKENDS;
  if (!env) return DEFAULT_BACKENDS;
  const list = env
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const b of list) {
    if (!(KNOWN_BACKENDS as string[]).includes(b)) {
      throw new WebgpuUnavailableError(
        `GAN_WEBGPU_BACKENDS: unknown Dawn backend '${b}' (expected ${KNOWN_BACKENDS.join(', ')})`,
      );
    }
  }
  return list as DawnBackend[];
}

function setNavigatorGpu(gpu: GpuLike | undefined): void {
  const g = globalThis as { navigator?: object };
  if (gpu === undefined) {
    if (g.navigator && Object.getOwnPropertyDescriptor(g.navigator, 'gpu')?.configurable) {
      delete (g.navigator as { gpu?: unknown }).gpu;
    }
    return;
  }
  if (g.navigator === undefined) {
    // Node 20 has no navigator; Node >= 21 has one without `gpu`.
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  }
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
}

/**
 * Creates the Dawn GPU (Vulkan first, then OpenGL ES), registers tfjs's 'webgpu' backend on our
 * own device and activates it. Throws WebgpuUnavailableError with one line saying why not.
 * Dawn's own stderr lines are shown only when asked for (native-output.ts).
 */
export function loadWebgpu(opts: LoadWebgpuOptions = {}): Promise<WebgpuInfo> {
  return withoutNativeOutput(() => startWebgpu(opts));
}

async function startWebgpu(opts: LoadWebgpuOptions): Promise<WebgpuInfo> {
  if (loaded) {
    if (tf.getBackend() !== 'webgpu') await tf.setBackend('webgpu');
    return loaded.info;
  }
  const t0 = performance.now();
  const backends = backendsWanted(opts);
  const dawn = await loadDawn();
  // GPUBufferUsage, GPUMapMode, GPUTextureUsage, ... are read as globals by the tfjs backend.
  Object.assign(globalThis, dawn.globals);
  let WebGPUBackend: WebGPUBackendCtor | undefined; // imported only once an adapter is accepted

  const adapterName = opts.adapterName ?? process.env.GAN_WEBGPU_ADAPTER;
  const skipped: string[] = [];
  const adaptersSeen: string[] = [];
  const softwareSeen: string[] = [];
  /** Why a backend offered no adapter: its requestAdapter rejected with `err`, or returned null. */
  const noAdapter = async (backend: DawnBackend, err?: unknown): Promise<string> => {
    if (err === undefined) return `${backend}: no adapter (missing ${(await missingFor(backend)).join(', or ')})`;
    const listed = parseAdapterList(err);
    adaptersSeen.push(...listed);
    const why = listed.length ? `no adapter named '${adapterName}' (found ${listed.join('; ')})` : firstLine(err);
    return `${backend}: ${why}`;
  };
  /** Whether a software adapter is refused (and noted as such). */
  const refusedSoftware = (backend: DawnBackend, info: GpuAdapterInfoLike): boolean => {
    adaptersSeen.push(`${backend}: ${info.device || info.description}`);
    const name = `${info.vendor} ${info.device} ${info.description}`.trim();
    if (opts.allowSoftware || !(info.isFallbackAdapter === true || SOFTWARE_NAME.test(name))) return false;
    softwareSeen.push(`${backend}: ${info.device || info.description}`);
    skipped.push(`${backend}: only a software adapter (${info.device || info.description})`);
    return true;
  };

  const tries: { backend: DawnBackend; flags: string[] }[] = [];
  for (const backend of backends) {
    if (backend === 'vulkan' && (await libraryFound('libvulkan.so.1')) === false) {
      // Skip rather than let Dawn print "Couldn't load Vulkan" to stderr on every start.
      skipped.push('vulkan: libvulkan.so.1 not found (Debian/Ubuntu: libvulkan1)');
      continue;
    }
    if (backend === 'opengles' || backend === 'opengl') defaultEglPlatform();
    // GAN_WEBGPU_FLAGS: extra Dawn flags, space-separated (e.g. enable-dawn-features=allow_unsafe_apis,
    // which lets tfjs time kernels with timestamp queries when profiling).
    const extra = opts.dawnFlags ?? (process.env.GAN_WEBGPU_FLAGS ?? '').split(/\s+/).filter(Boolean);
    tries.push({
      backend,
      flags: [`backend=${backend}`, ...(adapterName ? [`adapter=${adapterName}`] : []), ...extra],
    });
  }
  // Backends without a usable adapter are found out in a child process (dawn-probe.ts): Dawn's
  // lines about them never reach this process's stderr.
  const answers = nativeOutputShown() ? undefined : await askDawnInChild(tries.map((t) => t.flags));

  for (const [index, { backend, flags }] of tries.entries()) {
    const answer = answers?.[index];
    if (answer && !answer.found) {
      skipped.push(await noAdapter(backend, answer.error === undefined ? undefined : new Error(answer.error)));
      continue;
    }
    if (answer?.info && refusedSoftware(backend, answer.info)) continue;
    let gpu: GpuLike;
    let adapter: GpuAdapterLike | null = null;
    let featureLevel: FeatureLevel = 'core';
    try {
      gpu = dawn.create(flags);
      adapter = await gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel: 'core' });
      if (!adapter) {
        featureLevel = 'compatibility';
        adapter = await gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel: 'compatibility' });
      }
    } catch (err) {
      skipped.push(await noAdapter(backend, err));
      continue;
    }
    if (!adapter) {
      skipped.push(await noAdapter(backend));
      continue;
    }
    const info = adapter.info ?? { vendor: '', architecture: '', device: '', description: '' };
    const name = `${info.vendor} ${info.device} ${info.description}`.trim();
    const software = info.isFallbackAdapter === true || SOFTWARE_NAME.test(name);
    if (!answer?.info && refusedSoftware(backend, info)) continue;

    WebGPUBackend ??= await loadTfjsWebgpu();
    const Backend = WebGPUBackend;
    // The same device request tfjs-backend-webgpu 4.22's own factory (base.ts) makes.
    const requiredFeatures: string[] = [];
    if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
    const l = adapter.limits;
    let device: GpuDeviceLike;
    try {
      device = await adapter.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
          maxBufferSize: l.maxBufferSize,
          maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        },
      });
    } catch (err) {
      skipped.push(`${backend}: requestDevice failed: ${firstLine(err)}`);
      continue;
    }

    setNavigatorGpu(gpu);
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    // Priority 0: never picked implicitly over an engine the caller chose.
    tf.registerBackend('webgpu', () => new Backend(device, info), 0);
    let ok = false;
    try {
      ok = await tf.setBackend('webgpu');
    } catch (err) {
      skipped.push(`${backend}: tfjs could not start on it: ${firstLine(err)}`);
    }
    if (!ok) {
      tf.removeBackend('webgpu');
      device.destroy();
      setNavigatorGpu(undefined);
      if (skipped.length === 0 || !skipped[skipped.length - 1]!.startsWith(backend))
        skipped.push(`${backend}: tf.setBackend('webgpu') failed`);
      continue;
    }
    await tf.ready();
    const result: WebgpuInfo = {
      backend,
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isFallbackAdapter: info.isFallbackAdapter === true,
      software,
      featureLevel,
      adapters: adaptersSeen,
      skipped,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize ?? 0,
      maxBufferSize: l.maxBufferSize ?? 0,
      startupMs: performance.now() - t0,
    };
    loaded = { gpu, device, info: result };
    return result;
  }
  if (softwareSeen.length > 0) {
    const others = skipped.filter((line) => !line.includes('only a software adapter'));
    const rest = others.length ? `; ${others.join('; ')}` : '';
    const found = softwareSeen.join('; ');
    throw new WebgpuUnavailableError(
      `webgpu engine: only a software adapter (${found})${rest}; allow software adapters to use it anyway`,
    );
  }
  throw new WebgpuUnavailableError(`webgpu engine: no GPU adapter (${skipped.join('; ')})`);
}

/**
 * Whether this machine shows a GPU at all. On Linux a hardware adapter needs a render node
 * (/dev/dri/renderD*) or an NVIDIA device (/dev/nvidia0, ...); without either, `auto` does not
 * start Dawn just to find the software one.
 */
export function gpuDevicePresent(): boolean {
  if (process.platform !== 'linux') return true;
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  return list('/dev/dri').some((d) => d.startsWith('renderD')) || list('/dev').some((d) => /^nvidia\d+$/.test(d));
}

/** The adapter facts of the loaded engine, or undefined. */
export function webgpuInfo(): WebgpuInfo | undefined {
  return loaded?.info;
}

/** One line for logs: "webgpu on vulkan: nvidia hopper (NVIDIA H200), core". */
export function describeWebgpu(info: WebgpuInfo): string {
  const what = [info.vendor, info.architecture].filter(Boolean).join(' ');
  const name = `${what ? `${what} ` : ''}${info.device || '?'} (${info.description})`;
  return `webgpu on ${info.backend}: ${name}, ${info.featureLevel}${info.software ? ', software' : ''}`;
}

/**
 * Gives the GPU back so that the process can exit: disposes tfjs's backend (its buffers), destroys
 * the device and drops every reference to Dawn objects. Switches tfjs to `fallback` ('cpu') if
 * webgpu was active. Tensors still on webgpu are lost: read what you need before.
 */
export async function releaseWebgpu(fallback = 'cpu'): Promise<void> {
  if (!loaded) return;
  const { device } = loaded;
  loaded = undefined;
  if (tf.getBackend() === 'webgpu') await tf.setBackend(fallback);
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu'); // disposes the WebGPUBackend
  device.destroy();
  setNavigatorGpu(undefined);
}
