// gan sample's truncation from the command line, on a real smoke run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runGan } from '../helpers.ts';
import { trainSmokeRun } from '../helpers/smoke-run.ts';

test('gan sample --truncation draws a reproducible grid and says so', () => {
  const work = trainSmokeRun();
  const args = ['sample', '--n', '8', '--seed', '3', '--truncation', '0.7', '--out'];
  const a = runGan([...args, 'a.png'], { cwd: work });
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /\(ema weights, seed 3, truncation 0\.7\) to a\.png$/m);
  const b = runGan([...args, 'b.png'], { cwd: work });
  const plain = runGan(['sample', '--n', '8', '--seed', '3', '--out', 'c.png'], { cwd: work });
  assert.equal(b.status + plain.status, 0);
  assert.deepEqual(readFileSync(`${work}/a.png`), readFileSync(`${work}/b.png`));
  assert.notDeepEqual(readFileSync(`${work}/a.png`), readFileSync(`${work}/c.png`));
});
