// `gan doctor`: which engine runs here and why, what the machine offers for CUDA, and where
// the data cache is — the first thing to run when training is slower than expected.
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { DATASETS } from '../config.js';
import { datasetDir } from '../data/index.js';
import { engineDetails, requestedEngine, selectEngine, wasmThreadsWanted } from '../engine/index.js';
import type { Log } from '../log.js';

function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** Whether the CUDA 11 runtime that libtensorflow 2.9.1 links against can be found. */
function cudaStatus(): string {
  const devices = existsSync('/dev') ? readdirSync('/dev').filter((d) => /^nvidia\d+$/.test(d)) : [];
  let cudart11 = false;
  try {
    cudart11 = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes(
      'libcudart.so.11.0',
    );
  } catch {
    cudart11 = false;
  }
  return (
    `${devices.length} NVIDIA device(s) in /dev; libcudart.so.11.0 ${cudart11 ? 'found' : 'not found'} by ` + `ldconfig`
  );
}

export async function doctorCommand(backend: string | undefined, io: Log): Promise<void> {
  const engine = await selectEngine(requestedEngine(backend, undefined));
  for (const line of engineDetails(engine)) io.log(line);
  io.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  io.log(
    `tfjs ${tf.version.tfjs}; tfjs-backend-wasm ${packageVersion('@tensorflow/tfjs-backend-wasm')}; tfjs-node-gpu ` +
      `${packageVersion('@tensorflow/tfjs-node-gpu')}; tfjs-node ${packageVersion('@tensorflow/tfjs-node')}`,
  );
  io.log(`CUDA: ${cudaStatus()}`);
  io.log(
    `wasm threads: ${engine.name === 'wasm' ? engine.threads : wasmThreadsWanted()} (GAN_WASM_THREADS; default one ` +
      `per core, at most 8; ${os.availableParallelism()} cores here)`,
  );
  for (const dataset of DATASETS) {
    const dir = datasetDir({ dataset, source: 'auto', limit: 0 });
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.includes('idx')) : [];
    const fallback =
      dataset === 'mnist' ? 'auto: download, else the bundled 8,000 digits' : 'auto: download (no offline copy)';
    io.log(`data ${dataset}: ${dir} — ${files.length ? files.join(', ') : `empty (${fallback})`}`);
  }
  io.log(
    'CUDA engine: npm install @tensorflow/tfjs-node-gpu (needs the internet to fetch libtensorflow 2.9.1, which ' +
      'requires CUDA 11.2 + cuDNN 8.1; with only CUDA 12 it fails to load with a missing libcudart.so.11.0)',
  );
}
