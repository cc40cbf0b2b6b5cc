// What the machine offers the engines, for `gan doctor`: the engine packages installed, GPU
// device files, Dawn's adapters, and the CUDA libraries libtensorflow needs. Probing packages and
// libraries is the engine's business: nothing outside src/engine/ names them.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { libraryFound, listDawnAdapters } from './webgpu.js';

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

/** The doctor's lines about packages, GPU devices, Dawn's adapters and CUDA. */
export async function machineReport(): Promise<string[]> {
  const versions = [
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-backend-webgpu',
    'webgpu',
    '@tensorflow/tfjs-node-gpu',
    '@tensorflow/tfjs-node',
  ].map((p) => `${p.replace('@tensorflow/', '')} ${packageVersion(p)}`);
  return [
    `tfjs ${tf.version.tfjs}; ${versions.join('; ')}`,
    `GPU devices: ${gpuDevices()}`,
    ...(await dawnAdapters()),
    `CUDA for tfjs-node-gpu: ${await found('libcudart.so.11.0')}, ${await found('libcudnn.so.8')} ` +
      '(libtensorflow 2.9.1 needs exactly CUDA 11.2 and cuDNN 8.1 and has no code for Hopper GPUs; without them it ' +
      'runs on the CPU and only logs it)',
  ];
}
