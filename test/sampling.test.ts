// Latent draws: plain N(0, 1), and the truncated normal of `--truncation ψ` (inverse-CDF draws,
// all within ±ψ, the truncated normal's spread, one sample per seed), through `gan sample` too;
// and the class labels an evaluation asks a conditional generator for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectEngine } from '../src/engine/select.ts';
import { normalCdf, normalQuantile } from '../src/random.ts';
import { labelsInProportion, latentNoise } from '../src/sampling.ts';

test('normalCdf and normalQuantile invert each other and match known values', () => {
  assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
  for (const p of [1e-6, 0.01, 0.2, 0.5, 0.9, 0.999])
    assert.ok(Math.abs(normalCdf(normalQuantile(p)) - p) < 2e-7 * Math.max(1, p / 1e-3), String(p));
});

test('truncated latents stay within ±ψ, have the truncated normal’s spread, and repeat with the seed', async () => {
  await selectEngine('cpu');
  const psi = 1;
  const z = latentNoise(400, 100, 7, psi);
  const values = (await z.data()) as Float32Array;
  assert.ok(values.every((v) => Math.abs(v) <= psi));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  // Var of N(0,1) truncated to ±1: 1 − 2φ(1)/(Φ(1) − Φ(−1)) = 0.2911, so std 0.5396.
  assert.ok(Math.abs(mean) < 0.01 && Math.abs(std - 0.5396) < 0.01, `mean ${mean}, std ${std}`);
  assert.deepEqual(await latentNoise(400, 100, 7, psi).data(), values);
  assert.notDeepEqual(await latentNoise(400, 100, 8, psi).data(), values);
  const plain = await latentNoise(400, 100, 7).data();
  assert.ok(
    plain.some((v) => Math.abs(v) > 2),
    'without ψ the draws are the untruncated normal',
  );
  z.dispose();
});

test('labelsInProportion asks for each class in the given proportions, in blocks that add up to the count', () => {
  // Block ends at round(10 × 1/4), round(10 × 2/4), 10.
  assert.deepEqual(Array.from(labelsInProportion(10, [1, 1, 2])), [0, 0, 0, 1, 1, 2, 2, 2, 2, 2]);
  const trainCounts = [801, 902, 793, 826, 784, 690, 811, 856, 755, 782];
  for (const n of [7, 400, 10000]) {
    const labels = labelsInProportion(n, trainCounts);
    assert.equal(labels.length, n);
    const counts = trainCounts.map((_, c) => labels.filter((l) => l === c).length);
    counts.forEach((k, c) => assert.ok(Math.abs(k - (n * trainCounts[c]!) / 8000) <= 1, `n ${n}, class ${c}: ${k}`));
  }
  assert.deepEqual(Array.from(labelsInProportion(4, [0, 0])), [0, 1, 0, 1], 'no counts: every class in turn');
});
