// `gan doctor`: which engine runs here and why the others did not, what the machine offers a
// GPU engine (devices, Dawn's adapters, the CUDA libraries libtensorflow needs), and where the
// data cache is — the first thing to run when training is slower than expected.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { DATASETS } from '../config.js';
import { datasetDir } from '../data/index.js';
import {
  engineDetails,
  libraryFound,
  listDawnAdapters,
  requestedEngine,
  selectEngine,
  wasmThreadsWanted,
} from '../engine/index.js';
import type { Log } from '../log.js';

function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function gpuDevices(): string {
  const list = (dir: string, pattern: RegExp) =>
    existsSync(dir) ? readdirSync(dir).filter((d) => pattern.test(d)) : [];
  const devices = [...list('/dev', /^nvidia\d+$/), ...list('/dev/dri', /^renderD\d+$/).map((d) => `dri/${d}`)];
  return devices.length ? devices.map((d) => `/dev/${d}`).join(', ') : 'none (no /dev/nvidia*, no /dev/dri/renderD*)';
}

async function found(lib: string): Promise<string> {
  const hit = await libraryFound(lib);
  return `${lib} ${hit === undefined ? 'not checked' : hit ? 'found' : 'not found'}`;
}

/** Dawn's adapters on each backend the webgpu engine tries, or why it cannot look. */
async function dawnAdapters(): Promise<string[]> {
  if (packageVersion('webgpu') === 'not installed') return ['webgpu adapters: the npm package webgpu is not installed'];
  const lines: string[] = [];
  for (const backend of ['vulkan', 'opengles'] as const) {
    if (backend === 'vulkan' && (await libraryFound('libvulkan.so.1')) === false) {
      lines.push('webgpu adapters on vulkan: none (libvulkan.so.1 not found)');
      continue;
    }
    try {
      const adapters = await listDawnAdapters(backend);
      const names = adapters.map((a) => a.replace(`${backend}: `, ''));
      lines.push(`webgpu adapters on ${backend}: ${names.length ? names.join('; ') : 'none'}`);
    } catch (err) {
      lines.push(`webgpu adapters on ${backend}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return lines;
}

export async function doctorCommand(backend: string | undefined, io: Log): Promise<void> {
  const engine = await selectEngine(requestedEngine(backend, undefined));
  for (const line of engineDetails(engine)) io.log(line);
  io.log(`node ${process.version}, ${process.platform}/${process.arch}, ${os.availableParallelism()} cores`);
  const versions = [
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-backend-webgpu',
    'webgpu',
    '@tensorflow/tfjs-node-gpu',
    '@tensorflow/tfjs-node',
  ].map((p) => `${p.replace('@tensorflow/', '')} ${packageVersion(p)}`);
  io.log(`tfjs ${tf.version.tfjs}; ${versions.join('; ')}`);
  io.log(`GPU devices: ${gpuDevices()}`);
  for (const line of await dawnAdapters()) io.log(line);
  io.log(
    `CUDA for tfjs-node-gpu: ${await found('libcudart.so.11.0')}, ${await found('libcudnn.so.8')} ` +
      '(libtensorflow 2.9.1 needs exactly CUDA 11.2 and cuDNN 8.1 and has no code for Hopper GPUs; without them it ' +
      'runs on the CPU and only logs it)',
  );
  io.log(
    `wasm threads: ${engine.name === 'wasm' ? engine.threads : wasmThreadsWanted()} ` +
      "(GAN_WASM_THREADS; default one per core, at most 8; a dense model's training gives them to the BLAS)",
  );
  for (const dataset of DATASETS) {
    const dir = datasetDir({ dataset });
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.includes('idx')) : [];
    const fallback =
      dataset === 'mnist' ? 'auto: download, else the bundled 8,000 digits' : 'auto: download (no offline copy)';
    io.log(`data ${dataset}: ${dir} — ${files.length ? files.join(', ') : `empty (${fallback})`}`);
  }
}
