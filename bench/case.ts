/**
 * One benchmark case in its own process (so peak RSS and time to first step
 * belong to it alone): engine × model, real GanTrainer.trainIteration calls at
 * a fixed batch on fixed random batches. Prints one line `RESULT {json}`.
 *
 *   node --import tsx bench/case.ts --engine wasm --model dcgan [--reps 12] [--warmup 2] [--batch 64]
 *                                  [--stock Tile,BatchMatMul] [--threads 2]
 *
 * --stock puts the named kernels' stock versions back after the patches are
 * installed (A/B of a patch across runs; bench/ab.ts interleaves within one
 * process; `fused` puts back tfjs's fused conv/matMul gradients; see
 * bench/stock-kernels.ts for kernels with no stock version). --threads N (wasm only)
 * sets the wasm thread count (src/engine/wasm-threads.ts); without it the case
 * runs with the CLI's default (GAN_WASM_THREADS, else one thread per core).
 */
import * as tf from '@tensorflow/tfjs';
import { selectEngine, type EngineName } from '../src/engine/select.js';
import { workloadOf } from '../src/models/index.js';
import { restoreFusedOps } from '../src/engine/prunable-fused-ops.js';
import { iterationFlops } from './flops.js';
import { arg, benchConfig, buildRig, median, type ModelName } from './harness.js';
import { profileKernels, type Profile } from './profile.js';
import { captureStock, stockSwitch } from './stock-kernels.js';

export interface CaseResult {
  engine: string;
  model: string;
  batch: number;
  reps: number;
  /** Iteration times after warm-up, ms. */
  times: number[];
  medianMs: number;
  imgPerSec: number;
  flopsPerIter: number;
  gflops: number;
  /** Engine start + model build + first iteration, ms. */
  firstStepMs: number;
  peakRssMb: number;
  tensorsPerStep: number;
  patchedKernels: string[];
  profile: Profile;
  stats: { dLoss: number; gLoss: number };
}

async function main(): Promise<void> {
  const engineName = arg('engine', 'wasm') as EngineName;
  const model = arg('model', 'dcgan') as ModelName;
  const reps = Number(arg('reps', '12'));
  const warmup = Number(arg('warmup', '2'));
  const batch = Number(arg('batch', '64'));

  const stockNames = arg('stock', '').split(',').filter(Boolean);
  // Threads for the wasm engine: as the CLI picks them (GAN_WASM_THREADS, else one per core) unless given.
  const threadsFlag = arg('threads', '');
  if (threadsFlag) process.env.GAN_WASM_THREADS = threadsFlag;

  const started = performance.now();
  // Import the backend first, so that captureStock sees its stock kernels before our patches.
  if (engineName === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (engineName === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  // `fused` is not a kernel: it puts back tfjs's fused conv/matMul gradients (src/engine/prunable-fused-ops.ts).
  const keepFused = stockNames.includes('fused');
  const stock = captureStock(
    stockNames.filter((name) => name !== 'fused'),
    engineName,
  );
  const config = benchConfig(model, batch);
  const engine = await selectEngine(engineName, workloadOf(config.model.arch));
  stockSwitch(stock, engineName, engine.patchedKernels).stock();
  if (keepFused) restoreFusedOps();
  const patchedKernels = engine.patchedKernels.filter((k) => !stockNames.includes(k));
  const rig = buildRig(config, engine.updates);
  await rig.trainer.trainIteration(rig.real);
  const firstStepMs = performance.now() - started;
  for (let i = 0; i < warmup; i++) await rig.trainer.trainIteration(rig.real);

  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  let stats = { dLoss: 0, gLoss: 0 };
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    stats = await rig.trainer.trainIteration(rig.real);
    times.push(performance.now() - t0);
  }
  const tensorsPerStep = (tf.memory().numTensors - tensorsBefore) / reps;
  const profile = await profileKernels(() => rig.trainer.trainIteration(rig.real));
  const { generator, discriminator } = rig.trainer.models;
  const flopsPerIter = iterationFlops(generator, discriminator, batch);
  const medianMs = median(times);
  rig.dispose();

  const result: CaseResult = {
    engine: engine.threads > 1 ? `${engine.name}×${engine.threads}` : engine.name,
    model,
    batch,
    reps,
    times,
    medianMs,
    imgPerSec: (batch * 1000) / medianMs,
    flopsPerIter,
    gflops: flopsPerIter / (medianMs * 1e6),
    firstStepMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    tensorsPerStep,
    patchedKernels,
    profile,
    stats: { dLoss: stats.dLoss, gLoss: stats.gLoss },
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

await main();
