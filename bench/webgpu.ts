/**
 * What a training iteration asks of the webgpu engine (bench/webgpu-counts.ts), for the DCGAN
 * and the conditional DCGAN, on whatever adapter Dawn finds (Mesa's software adapter on a
 * machine without a GPU). Prints a table and one `RESULT {json}` line per model.
 *
 *   npm run bench:webgpu -- [--models dcgan,cdcgan] [--batch 64] [--iterations 3] [--warmup 2]
 *
 * busy ms: the main thread's busy time per iteration; submit ms: of it, inside queue.submit (on
 * a software adapter the GPU's work runs there); issue ms: the rest, JavaScript and Dawn issuing
 * the work, which is what a real GPU waits on.
 * The counts do not depend on the widths (dcgan-narrow and cdcgan-narrow give the same): on a
 * software adapter an iteration of the real widths at batch 64 takes tens of seconds.
 */
import { describeEngine, selectEngine } from '../src/engine/select.js';
import { releaseWebgpu } from '../src/engine/webgpu.js';
import { arg, benchConfig, buildRig, type ModelName } from './harness.js';
import { countIterations, type IterationCounts } from './webgpu-counts.js';

const models = arg('models', 'dcgan,cdcgan').split(',') as ModelName[];
const batch = Number(arg('batch', '64'));
const iterations = Number(arg('iterations', '3'));
const warmup = Number(arg('warmup', '2'));

try {
  const engine = await selectEngine('webgpu');
  console.log(describeEngine(engine));
  const columns: [string, (c: IterationCounts) => number][] = [
    ['kernels', (c) => c.kernels],
    ['dispatches', (c) => c.dispatches],
    ['copies', (c) => c.copies],
    ['buffers', (c) => c.buffersCreated],
    ['bind groups', (c) => c.bindGroupsCreated],
    ['seen before', (c) => c.bindGroupsRepeated],
    ['writes', (c) => c.queueWrites],
    ['submits', (c) => c.submits],
    ['busy ms', (c) => c.busyMs],
    ['submit ms', (c) => c.submitMs],
    ['issue ms', (c) => c.busyMs - c.submitMs],
  ];
  console.log(['model'.padEnd(14), 'batch', ...columns.map(([name]) => name)].join('  '));
  for (const model of models) {
    const rig = buildRig(benchConfig(model, batch), engine.updates);
    const counts = await countIterations(rig, iterations, warmup);
    rig.dispose();
    const cells = columns.map(([name, value]) => String(Math.round(value(counts))).padStart(name.length));
    console.log([model.padEnd(14), String(batch).padStart(5), ...cells].join('  '));
    console.log(`RESULT ${JSON.stringify({ model, batch, iterations, ...counts })}`);
  }
} finally {
  await releaseWebgpu();
}
