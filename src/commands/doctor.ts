// `gan doctor`: which engine runs here and why the others did not, what the machine offers a
// GPU engine (devices, Dawn's adapters, the CUDA libraries libtensorflow needs), and where the
// data cache is — the first thing to run when training is slower than expected.
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { DATASETS } from '../config.js';
import { datasetDir } from '../data/index.js';
import { engineDetails, machineReport, requestedEngine, selectEngine, wasmThreadsWanted } from '../engine/index.js';
import { terminal, type Log } from '../log.js';
import type { Command } from 'commander';
import { backendOption } from './options.js';

export async function doctorCommand(backend: string | undefined, io: Log): Promise<void> {
  const engine = await selectEngine(requestedEngine(backend, undefined));
  for (const line of engineDetails(engine)) io.log(line);
  io.log(`node ${process.version}, ${process.platform}/${process.arch}, ${os.availableParallelism()} cores`);
  for (const line of await machineReport()) io.log(line);
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

/** `gan doctor`'s command line. */
export function declareDoctor(program: Command): void {
  program
    .command('doctor')
    .description('which engine runs and why, versions, GPU/CUDA visibility, wasm threads, the data cache')
    .addOption(backendOption())
    .action(async (opts: { backend?: string }) => doctorCommand(opts.backend, terminal));
}
