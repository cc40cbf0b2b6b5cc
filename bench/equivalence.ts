/**
 * Same seed, patched vs unpatched kernels (and our prunable fused ops vs tfjs's
 * own, src/engine/prunable-fused-ops.ts): the per-step losses of 20 training
 * iterations must agree to float32 rounding (reported as the largest relative
 * difference of dLoss/gLoss over the 20 steps).
 *   - mlp on wasm: patched kernels vs the stock wasm kernels (re-registered);
 *   - narrow DCGAN (G [16, 8], D [8, 16]): patched wasm vs stock cpu, and
 *     patched cpu vs stock cpu (wasm has no stock Conv2DBackpropFilter).
 *
 *   node --import tsx bench/equivalence.ts [--steps 20]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { engineUpdates } from '../src/engine/updates.js';
import { registerComparisonGradients } from '../src/engine/gradients.js';
import { registerKernelPatches } from '../src/engine/kernels/index.js';
import { restoreFusedOps, usePrunableFusedOps } from '../src/engine/prunable-fused-ops.js';
import { useThreadedWasm } from '../src/engine/wasm-threads.js';
import { arg, benchConfig, buildRig, type ModelName } from './harness.js';

const STEPS = Number(arg('steps', '20'));
const THREADS = Number(arg('threads', '1'));
/** Every kernel registered before any patch, per backend: the stock ones. */
const stock = new Map(
  ['wasm', 'cpu'].map((b) => [b, new Map(tf.getKernelsForBackend(b).map((k) => [k.kernelName, k]))]),
);
/** What registerKernelPatches reported patching, per backend. */
const patchedNames = new Map<string, string[]>();

function setKernels(backend: 'wasm' | 'cpu', patched: boolean): void {
  if (patched) {
    patchedNames.set(backend, registerKernelPatches(backend));
    usePrunableFusedOps();
    return;
  }
  restoreFusedOps();
  for (const name of patchedNames.get(backend) ?? []) {
    const config = stock.get(backend)!.get(name);
    // A kernel the backend lacks: ours goes (GanAdamUpdate: the optimizer runs tfjs's Adam),
    // except wasm Conv2DBackpropFilter, without which no conv model trains on wasm.
    if (!config && name === 'Conv2DBackpropFilter') continue;
    tf.unregisterKernel(name, backend);
    if (config) tf.registerKernel(config);
  }
}

async function losses(backend: 'wasm' | 'cpu', patched: boolean, model: ModelName): Promise<number[][]> {
  await tf.setBackend(backend);
  setKernels(backend, patched);
  const rig = buildRig(benchConfig(model, 64), engineUpdates);
  const out: number[][] = [];
  for (let i = 0; i < STEPS; i++) {
    const s = await rig.trainer.trainIteration(rig.real);
    out.push([s.dLoss, s.gLoss]);
  }
  rig.dispose();
  return out;
}

function maxRelDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, i) =>
    row.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(v - b[i]![j]!) / Math.max(Math.abs(b[i]![j]!), 1e-12));
    }),
  );
  return worst;
}

async function main(): Promise<void> {
  if (THREADS > 1) useThreadedWasm(THREADS);
  registerComparisonGradients();
  const rows: Array<[string, number[][], number[][]]> = [];
  const stockCpuDcgan = await losses('cpu', false, 'dcgan-narrow');
  rows.push(['mlp: patched wasm vs stock wasm', await losses('wasm', true, 'mlp'), await losses('wasm', false, 'mlp')]);
  rows.push(['narrow dcgan: patched wasm vs stock cpu', await losses('wasm', true, 'dcgan-narrow'), stockCpuDcgan]);
  rows.push(['narrow dcgan: patched cpu vs stock cpu', await losses('cpu', true, 'dcgan-narrow'), stockCpuDcgan]);
  console.log(`${STEPS} iterations, batch 64, seed 42${THREADS > 1 ? `, wasm ×${THREADS} threads` : ''}`);
  console.log(
    '| comparison | step 1 max rel. diff | steps 1–5 | all steps | last step (dLoss, gLoss) patched / reference |',
  );
  console.log('|---|---|---|---|---|');
  for (const [what, a, b] of rows) {
    const last = (r: number[][]) => r[r.length - 1]!.map((v) => v.toPrecision(8)).join(', ');
    const upTo = (n: number) => maxRelDiff(a.slice(0, n), b.slice(0, n)).toExponential(2);
    console.log(`| ${what} | ${upTo(1)} | ${upTo(5)} | ${upTo(a.length)} | ${last(a)} / ${last(b)} |`);
  }
}

await main();
