/**
 * What an epoch of `configs/mnist.yaml` costs at smaller batch sizes against the former batch 64:
 * the same 8,000 digits, one process per epoch, the two sizes alternated so the machine's drift
 * falls on both. Prints each epoch and the ratio of the medians.
 *
 *   node --import tsx bench/batch-cost.ts [--rounds 2] [--engine wasm] [--batch 16,8]
 */
import { parseArgs } from 'node:util';
import { trainOneEpoch } from './e2e.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    engine: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '16' },
  },
});
const sizes = [64, ...values.batch!.split(',').map(Number)];
const seconds = new Map<number, number[]>(sizes.map((b) => [b, []]));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (let round = 0; round < Number(values.rounds); round++) {
  for (const batch of round % 2 === 0 ? sizes : [...sizes].reverse()) {
    const r = trainOneEpoch(values.engine!, 'dcgan', undefined, 0, [`train.batch_size=${batch}`]);
    if (typeof r === 'string') {
      console.log(r);
      process.exit(0);
    }
    seconds.get(batch)!.push(r.epochSeconds);
    console.log(`batch ${batch}: ${r.iterations} iterations, epoch ${r.epochSeconds.toFixed(1)} s`);
  }
}
const old = median(seconds.get(64)!);
for (const batch of sizes.slice(1)) {
  const now = median(seconds.get(batch)!);
  console.log(
    `median epoch: batch 64 ${old.toFixed(1)} s, batch ${batch} ${now.toFixed(1)} s, ratio ${(now / old).toFixed(2)}`,
  );
}
