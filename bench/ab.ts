/**
 * A/B of kernel patches within one process, interleaved iteration by iteration: each pair times
 * one training iteration with the patches (A) and one with the named kernels stock (B), in
 * alternating order. Shared machines drift by tens of percent over minutes; a pair's two
 * iterations are seconds apart, so the median of the pairs' ratios is what to quote.
 *
 *   node --import tsx bench/ab.ts --model mlp --stock GanAdamUpdate,Sum,Mean,fused [--pairs 20]
 *                                 [--warmup 3] [--engine wasm] [--threads N] [--batch 64]
 *
 * Prints a summary line and `RESULT {json}`.
 */
import { restoreFusedOps, usePrunableFusedOps } from '../src/engine/prunable-fused-ops.js';
import { selectEngine, type EngineName } from '../src/engine/select.js';
import { arg, benchConfig, buildRig, median, type ModelName } from './harness.js';
import { captureStock, stockSwitch } from './stock-kernels.js';

async function main(): Promise<void> {
  const engineName = arg('engine', 'wasm') as EngineName;
  const model = arg('model', 'mlp') as ModelName;
  const pairs = Number(arg('pairs', '20'));
  const warmup = Number(arg('warmup', '3'));
  const batch = Number(arg('batch', '64'));
  const names = arg('stock', '').split(',').filter(Boolean);
  if (names.length === 0) throw new Error('--stock: name the kernels to compare (e.g. GanAdamUpdate,Sum)');
  const threads = arg('threads', '');
  if (threads) process.env.GAN_WASM_THREADS = threads;

  if (engineName === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  // `fused` is not a kernel: tfjs's own fused conv/matMul ops (src/engine/prunable-fused-ops.ts).
  const withFused = names.includes('fused');
  const stockConfigs = captureStock(
    names.filter((n) => n !== 'fused'),
    engineName,
  );
  const engine = await selectEngine(engineName);
  const switched = stockSwitch(stockConfigs, engineName, engine.patchedKernels);
  const kernels = {
    patched: () => {
      switched.patched();
      if (withFused) usePrunableFusedOps();
    },
    stock: () => {
      switched.stock();
      if (withFused) restoreFusedOps();
    },
  };
  const rig = buildRig(benchConfig(model, batch), engine.updates);
  const iteration = async (use: () => void): Promise<number> => {
    use();
    const t0 = performance.now();
    await rig.trainer.trainIteration(rig.real);
    return performance.now() - t0;
  };
  for (let i = 0; i < warmup; i++) {
    await iteration(kernels.patched);
    await iteration(kernels.stock);
  }
  const patchedMs: number[] = [];
  const stockMs: number[] = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      patchedMs.push(await iteration(kernels.patched));
      stockMs.push(await iteration(kernels.stock));
    } else {
      stockMs.push(await iteration(kernels.stock));
      patchedMs.push(await iteration(kernels.patched));
    }
  }
  kernels.patched();
  rig.dispose();
  const ratios = stockMs.map((s, i) => s / patchedMs[i]!);
  const result = {
    engine: engine.threads > 1 ? `${engine.name}×${engine.threads}` : engine.name,
    model,
    batch,
    stock: names,
    pairs,
    patchedMedianMs: median(patchedMs),
    stockMedianMs: median(stockMs),
    /** Median over pairs of stock time ÷ patched time: > 1 means the patches are faster. */
    speedup: median(ratios),
    patchedFasterPairs: ratios.filter((r) => r > 1).length,
    patchedMs,
    stockMs,
  };
  console.log(
    `${result.engine} ${model}: patched ${result.patchedMedianMs.toFixed(1)} ms, with ${names.join(', ')} stock ` +
      `${result.stockMedianMs.toFixed(1)} ms; speed-up ${result.speedup.toFixed(3)}× (median of ${pairs} pairs; ` +
      `patched faster in ${result.patchedFasterPairs})`,
  );
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

await main();
