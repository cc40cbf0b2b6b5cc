// The semi-supervised GAN from the command line: gan train --config with model.arch ssgan, then
// gan classify on the test split and on images gan sample wrote.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runGan } from '../helpers.ts';
import { tempDir } from '../helpers/temp-dir.ts';

test('gan train --config with model.arch ssgan, then gan classify: above chance, labelled.json names the N', () => {
  const work = tempDir('gan-ssgan-');
  const config = `data: { source: bundled, limit: 512 }
model: { arch: ssgan, g_widths: [64, 64], d_widths: [128, 64, 32] }
train: { epochs: 3, batch_size: 32, lr_g: 0.003, lr_d: 0.003 }
ssgan: { labels: 20, validation: 50, d_ema: 0.99 }
sample: { grid: 16 }
`;
  writeFileSync(join(work, 'ss.yaml'), config);
  const train = runGan(['train', '--config', 'ss.yaml'], { cwd: work });
  assert.equal(train.status, 0, train.stderr);
  assert.match(
    train.stdout,
    /^labelled: 20 training images \(2 per class, chosen with run\.seed\); the other 492 train/m,
  );
  assert.match(train.stdout, /semi-supervised with 20 labels, 3 epochs of 16 iterations \(48 in all, batch 32\)/);
  assert.match(train.stdout, /^epoch 1\/3 .*\(run ETA \d+ (s|min)\)/m);
  assert.doesNotMatch(train.stdout, /^epoch 3\/3 .*ETA/m);
  assert.match(train.stdout, /held-out accuracy [\d.]+% \(raw D [\d.]+%\); validation [\d.]+% \(raw D [\d.]+%\)/);
  assert.match(train.stdout, /^validation: 50 of those \(chosen with run\.seed\) are scored/m);
  const labelled = JSON.parse(readFileSync(join(work, 'checkpoints', 'ss', 'labelled.json'), 'utf8'));
  assert.equal(labelled.count, 20);
  assert.deepEqual([...labelled.labels].sort(), [...'00112233445566778899'].map(Number));
  const metrics = readFileSync(join(work, 'checkpoints', 'ss', 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n');
  assert.equal(metrics.length, 3);
  assert.ok(metrics.every((l) => typeof JSON.parse(l).test_accuracy === 'number'));
  assert.ok(metrics.every((l) => typeof JSON.parse(l).val_accuracy === 'number'));

  const out = join(work, 'p.json');
  const r = runGan(['classify', '--ckpt', 'ss', '--out', out], { cwd: work });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /classified the test split \(2000 images\) with .*\(ema discriminator\): accuracy [\d.]+%/);
  const result = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(result.count, 2000);
  assert.equal(result.predictions.length, 2000);
  assert.equal(result.split, 'test');
  assert.ok(result.accuracy > 0.2, `accuracy ${result.accuracy} is above chance (0.1)`);

  // Generated images through .npy, as `gan sample --format npy` writes them.
  assert.equal(
    runGan(['sample', '--ckpt', 'ss', '--n', '8', '--format', 'npy', '--out', 'g.npy', '--seed', '1'], { cwd: work })
      .status,
    0,
  );
  const npy = runGan(['classify', '--ckpt', 'ss', '--images', 'g.npy', '--out', 'g.json'], { cwd: work });
  assert.equal(npy.status, 0, npy.stderr);
  const g = JSON.parse(readFileSync(join(work, 'g.json'), 'utf8'));
  assert.equal(g.count, 8);
  assert.equal(g.accuracy, null);
  assert.ok(g.predictions.every((p: number) => Number.isInteger(p) && p >= 0 && p < 10));
});
