/**
 * What an epoch of `configs/mnist.yaml` costs with some keys changed, against a baseline recipe
 * (the config as it is, or --against): the same 8,000 digits, one process per epoch, the recipes
 * alternated so the machine's drift falls on all of them. Prints each epoch and the ratio of the
 * medians. A recipe is a space-separated list of key=value.
 *
 *   node --import tsx bench/recipe-cost.ts [--rounds 2] [--engine wasm] [--against "k=v ..."] --variant "k=v ..." ...
 */
import { parseArgs } from 'node:util';
import { trainOneEpoch } from './e2e.js';
import { median } from './harness.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    engine: { type: 'string', default: 'wasm' },
    against: { type: 'string', default: '' },
    variant: { type: 'string', multiple: true, default: [] },
  },
});
if (values.variant!.length === 0) {
  console.error('recipe-cost: give at least one --variant "key=value ..."');
  process.exit(2);
}
const recipes = [values.against!, ...values.variant!];
const label = (recipe: string) => recipe || 'configs/mnist.yaml as it is';
const seconds = new Map<string, number[]>(recipes.map((r) => [r, []]));

for (let round = 0; round < Number(values.rounds); round++) {
  for (const recipe of round % 2 === 0 ? recipes : [...recipes].reverse()) {
    const sets = recipe.split(/\s+/).filter(Boolean);
    const r = trainOneEpoch(values.engine!, 'dcgan', undefined, 0, sets);
    if (typeof r === 'string') {
      console.log(r);
      process.exit(0);
    }
    seconds.get(recipe)!.push(r.epochSeconds);
    console.log(`${label(recipe)}: ${r.iterations} iterations, epoch ${r.epochSeconds.toFixed(1)} s`);
  }
}
const base = median(seconds.get(values.against!)!);
for (const recipe of values.variant!) {
  const now = median(seconds.get(recipe)!);
  console.log(
    `median epoch: ${label(values.against!)} ${base.toFixed(1)} s, ${recipe} ${now.toFixed(1)} s, ` +
      `ratio ${(now / base).toFixed(2)}`,
  );
}
