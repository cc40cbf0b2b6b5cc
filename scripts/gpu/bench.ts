/**
 * The GPU machine's half of scripts/gpu-probe.sh, bundled with the project's code into one file
 * (scripts/gpu/build-kit.sh): on the webgpu engine's adapter,
 *   1. the equivalence check of test/e2e/webgpu.test.ts (narrow DCGAN and conditional DCGAN, 3
 *      iterations, batch 8) and the DCGAN at its real widths (2 iterations, batch 16), against cpu;
 *   2. what an iteration at batch 64 issues: kernels, dispatches, buffers and bind groups created
 *      (bench/webgpu-counts.ts; --no-counts skips it);
 *   3. training speed of the DCGAN (and the conditional DCGAN) at batch 64 and 256;
 *   4. one profiled iteration at batch 64: kernel dispatches and, when the adapter allows
 *      timestamp queries (GAN_WEBGPU_FLAGS=enable-dawn-features=allow_unsafe_apis), GPU time per kernel;
 *   5. with --ab, the same speed with our webgpu kernel patches switched back to stock tfjs, and with
 *      --tfjs-flags NAME=VALUE,... tfjs flags (e.g. WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE) set first.
 * Stops after the engine line when the adapter is a software one (unless --allow-software).
 * Prints readable lines and one `RESULT {json}` line per measurement.
 */
import { compareStates, dcganConfig, trainOn } from '../../bench/engine-equivalence.js';
import { benchConfig, buildRig, median, type ModelName } from '../../bench/harness.js';
import { iterationFlops } from '../../bench/flops.js';
import { profileKernels } from '../../bench/profile.js';
import { countIterations } from '../../bench/webgpu-counts.js';
import { captureStock, stockSwitch, type StockSwitch } from '../../bench/stock-kernels.js';
import * as tf from '@tensorflow/tfjs';
import { describeEngine, engineDetails, selectEngine } from '../../src/engine/select.js';
import { releaseWebgpu } from '../../src/engine/webgpu.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const result = (record: Record<string, unknown>) => console.log(`RESULT ${JSON.stringify(record)}`);

async function equivalence(): Promise<void> {
  const cases: [string, ReturnType<typeof dcganConfig>, number][] = [
    ['narrow dcgan, batch 8', dcganConfig(8), 3],
    ['narrow conditional dcgan, batch 8', dcganConfig(8, ['model.conditional=true']), 3],
    ['dcgan (128/64, 64/128), batch 16', dcganConfig(16, [], false), 2],
  ];
  for (const [what, config, iterations] of cases) {
    const started = performance.now();
    const cpu = await trainOn('cpu', config, iterations);
    const gpu = await trainOn('webgpu', config, iterations);
    const diff = compareStates(gpu, cpu);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `equivalence ${what}, ${iterations} iterations vs cpu: losses max |Δ| ${diff.losses.toExponential(2)}, ` +
        `weights max |Δ| ${diff.weights.toExponential(2)} (${seconds.toFixed(1)} s)`,
    );
    result({ kind: 'equivalence', what, iterations, lossesMaxAbs: diff.losses, weightsMaxAbs: diff.weights });
  }
}

/** Our webgpu kernels and the stock ones they replace (none for our own Gan… kernels). */
const PATCHES = [
  'Conv2DBackpropFilter',
  'Sum',
  'Mean',
  'GanAdamUpdatePacked',
  'GanEmaUpdatePacked',
  'GanBatchNormTrain',
  'GanBatchNormTrainGrad',
  'GanLeakyReluGrad',
];
let stock: StockSwitch | undefined;

async function speed(model: ModelName, batch: number, reps: number, warmup: number, kernels: string): Promise<void> {
  const engine = await selectEngine('webgpu');
  if (kernels === 'stock') stock!.stock();
  // Stock: tfjs's kernels, and D's two passes (uploads stay on queue.writeBuffer either way).
  const rig = buildRig(benchConfig(model, batch), { ...engine.updates, oneDPass: kernels !== 'stock' });
  const started = performance.now();
  await rig.trainer.trainIteration(rig.real);
  const firstMs = performance.now() - started;
  for (let i = 0; i < warmup; i++) await rig.trainer.trainIteration(rig.real);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await rig.trainer.trainIteration(rig.real);
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  const imgPerSec = (batch * 1000) / ms;
  const { generator, discriminator } = rig.trainer.models;
  const gflops = iterationFlops(generator, discriminator, batch) / (ms * 1e6);
  console.log(
    `speed ${model} batch ${batch}, ${kernels} kernels: ${imgPerSec.toFixed(0)} img/s, ${ms.toFixed(1)} ms/iteration ` +
      `(min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}), ${gflops.toFixed(1)} GFLOP/s, ` +
      `first iteration ${firstMs.toFixed(0)} ms`,
  );
  result({ kind: 'speed', model, batch, kernels, reps, medianMs: ms, imgPerSec, gflops, firstMs, times });
  if (model === 'dcgan' && batch === 64) {
    const profile = await profileKernels(() => rig.trainer.trainIteration(rig.real));
    const top = [...profile.kernels].sort((a, b) => b.ms - a.ms || b.calls - a.calls).slice(0, 12);
    console.log(
      `profile dcgan batch 64: ${profile.kernelCalls} kernel dispatches per iteration, ` +
        `${profile.kernelMs.toFixed(1)} ms of GPU time measured (0 without timestamp queries) of ${ms.toFixed(1)} ms`,
    );
    for (const k of top)
      console.log(`  ${k.name.padEnd(24)} ${String(k.calls).padStart(4)} calls  ${k.ms.toFixed(2)} ms`);
    result({
      kind: 'profile',
      model,
      batch,
      kernels,
      kernelCalls: profile.kernelCalls,
      kernelMs: profile.kernelMs,
      top,
    });
  }
  rig.dispose();
  if (kernels === 'stock') stock!.patched();
}

/** What an iteration at batch 64 issues (bench/webgpu-counts.ts), as `npm run bench:webgpu` prints it. */
async function counts(updates: Parameters<typeof buildRig>[1]): Promise<void> {
  for (const model of ['dcgan', 'cdcgan'] as const) {
    const rig = buildRig(benchConfig(model, 64), updates);
    const { byName, ...c } = await countIterations(rig, 5, 3);
    rig.dispose();
    console.log(
      `counts ${model} batch 64 per iteration: ${c.kernels} kernels, ${c.dispatches} dispatches, ${c.copies} copies, ` +
        `${c.buffersCreated} buffers and ${c.bindGroupsCreated} bind groups created, ${c.submits} submits, ` +
        `main thread busy ${c.busyMs.toFixed(1)} ms (${c.submitMs.toFixed(1)} in submit) of ${c.wallMs.toFixed(1)} ms`,
    );
    result({ kind: 'counts', model, batch: 64, ...c, byName });
  }
}

async function main(): Promise<void> {
  // The stock kernels (and the backend's flags) are registered when tfjs-backend-webgpu is
  // imported: capture the kernels before our patches replace them.
  await import('@tensorflow/tfjs-backend-webgpu');
  for (const setting of value('tfjs-flags', '').split(',').filter(Boolean)) {
    const [name, v] = setting.split('=');
    tf.env().set(name!, v === 'true' ? true : v === 'false' ? false : Number(v));
    console.log(`tfjs flag ${name} = ${String(tf.env().get(name!))}`);
  }
  const stockConfigs = captureStock(PATCHES, 'webgpu');
  const engine = await selectEngine('webgpu');
  stock = stockSwitch(stockConfigs, 'webgpu', engine.patchedKernels);
  console.log(describeEngine(engine));
  for (const line of engineDetails(engine)) console.log(`  ${line}`);
  result({ kind: 'engine', gpu: engine.gpu });
  if (engine.gpu?.software && !flag('allow-software')) {
    console.log('only a software adapter: no equivalence or speed on it here (--allow-software to run anyway)');
    return;
  }
  if (!flag('no-equivalence')) await equivalence();
  const reps = Number(value('reps', '10'));
  const warmup = Number(value('warmup', '3'));
  if (!flag('no-counts')) await counts(engine.updates);
  for (const batch of value('batches', '64,256').split(',').map(Number)) {
    for (const model of value('models', 'dcgan,cdcgan').split(',') as ModelName[]) {
      await speed(model, batch, reps, warmup, 'patched');
      if (flag('ab')) await speed(model, batch, reps, warmup, 'stock');
    }
  }
}

try {
  await main();
} catch (err) {
  console.log(`ERROR ${(err as Error).message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  await releaseWebgpu();
}
