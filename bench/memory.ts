// Memory over a long run: RSS, JS heap and tfjs tensor/byte counts every 100 training steps
// of the smoke model (narrow DCGAN) and the MLP, on the chosen engine, through the real data
// pipeline (TrainingSet batches). A benchmark, not a test: it prints a table and JSON.
//   node --import tsx bench/memory.ts [--steps 1000] [--engine wasm] [--model mlp|dcgan-narrow]
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { TrainingSet } from '../src/data/batches.js';
import { loadImageSet } from '../src/data/index.js';
import { selectEngine, type EngineName } from '../src/engine/select.js';
import { benchConfig, buildRig, type ModelName } from './harness.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '1000' },
    engine: { type: 'string', default: 'wasm' },
    model: { type: 'string', default: 'mlp' },
  },
});
const steps = Number(values.steps);
const engine = await selectEngine(values.engine as EngineName);
const config = benchConfig(values.model as ModelName, 32);
const rig = buildRig(config, engine.updates);
const set = await loadImageSet({ dataset: 'mnist', source: 'bundled', limit: 0, size: 28, channels: 1 }, 'train', {
  log: () => undefined,
  warn: () => undefined,
});
const data = new TrainingSet(set);
const perEpoch = data.batchesPerEpoch(32);
const rows: { step: number; rssMB: number; heapMB: number; tensors: number; tfMB: number }[] = [];
const sample = (step: number) => {
  const m = process.memoryUsage();
  rows.push({
    step,
    rssMB: m.rss / 2 ** 20,
    heapMB: m.heapUsed / 2 ** 20,
    tensors: tf.memory().numTensors,
    tfMB: tf.memory().numBytes / 2 ** 20,
  });
};
let order = data.epochOrder(config.run.seed, 1);
for (let step = 0; step < steps; step++) {
  if (step % perEpoch === 0) order = data.epochOrder(config.run.seed, 1 + step / perEpoch);
  const batch = data.batch(order, step % perEpoch, 32);
  await rig.trainer.trainIteration([batch]);
  tf.dispose([batch.images, batch.labels]);
  if (step === 1 || (step + 1) % 100 === 0) sample(step + 1);
}
const first = rows[0]!;
const last = rows[rows.length - 1]!;
console.table(
  rows.map((r) => ({
    step: r.step,
    'RSS MB': r.rssMB.toFixed(1),
    'heap MB': r.heapMB.toFixed(1),
    tensors: r.tensors,
    'tf MB': r.tfMB.toFixed(1),
  })),
);
console.log(
  JSON.stringify({
    engine: values.engine,
    model: values.model,
    steps,
    rssGrowthMB: last.rssMB - first.rssMB,
    tensorGrowth: last.tensors - first.tensors,
    rows,
  }),
);
rig.dispose();
data.dispose();
