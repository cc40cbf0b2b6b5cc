// The fast tier's one real run: the CLI trains the smoke config and samples from it, exactly as
// a user types the two commands, in a scratch copy of the project root; the checkpoint reloads.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { selectEngine } from '../src/engine/select.ts';
import { loadModel } from '../src/checkpoint/model-io.ts';
import { deriveSeed, Stream } from '../src/random.ts';
import { generateImages, latentNoise } from '../src/sampling.ts';
import { ROOT, runGan } from './helpers.ts';
import { tempDir } from './helpers/temp-dir.ts';

let work: string;
let trainOut: ReturnType<typeof runGan>;

before(() => {
  work = tempDir('gan-smoke-');
  cpSync(join(ROOT, 'configs'), join(work, 'configs'), { recursive: true });
  trainOut = runGan(['train', '--config', 'smoke.yaml'], {
    cwd: work,
    env: { GAN_DATA_MIRRORS: 'http://127.0.0.1:9/' },
  });
});

test('gan train --config smoke.yaml trains, checkpoints and draws a grid every epoch', () => {
  assert.equal(trainOut.status, 0, trainOut.stderr);
  const lines = trainOut.stdout.split('\n');
  assert.match(lines[0]!, /^engine: (wasm|tensorflow|cpu)/, 'the first line says which engine runs');
  assert.match(trainOut.stdout, /epoch 2\/2 .*img\/s/);
  const run = join(work, 'checkpoints', 'smoke');
  const metrics = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    metrics.map((m) => m.epoch),
    [1, 2],
    'one metrics line per epoch',
  );
  for (const m of metrics)
    assert.ok(
      Number.isFinite(m.d_loss) &&
        Number.isFinite(m.g_loss) &&
        m.img_per_s > 0 &&
        m.step_seconds > 0 &&
        m.step_seconds <= m.seconds,
    );
  for (const epoch of ['0001', '0002']) {
    const png = PNG.sync.read(readFileSync(join(run, 'samples', `epoch-${epoch}.png`)));
    assert.equal(png.width, 4 * 28 + 5 * 2, '16 fixed-noise samples -> 4x4 grid with 2-px padding');
  }
  assert.equal(JSON.parse(readFileSync(join(run, 'latest.json'), 'utf8')).dir, 'epoch-0002');
  assert.ok(existsSync(join(run, 'config.yaml')));
  assert.ok(existsSync(join(run, 'epoch-0002', 'optimizers', 'generator.bin')));
});

test('gan sample --ckpt latest --n 16 writes a decodable, non-constant grid', () => {
  const r = runGan(['sample', '--ckpt', 'latest', '--n', '16'], { cwd: work });
  assert.equal(r.status, 0, r.stderr);
  const out = /to (\S+\.png)$/m.exec(r.stdout)?.[1];
  assert.ok(out, `sample prints where it wrote: ${r.stdout}`);
  const png = PNG.sync.read(readFileSync(join(work, out)));
  assert.equal(png.width, 122);
  assert.equal(png.height, 122);
  // Not constant: the first image (inside the padding) has more than one gray level.
  const values = new Set<number>();
  for (let y = 2; y < 30; y++) for (let x = 2; x < 30; x++) values.add(png.data[(y * png.width + x) * 4]!);
  assert.ok(values.size > 1, `first image has ${values.size} distinct gray levels`);
});

test('the checkpoint reloads with tf.loadLayersModel and reproduces the CLI output for the same noise', async () => {
  const out = join(work, 'same.npy');
  const r = runGan(['sample', '--ckpt', 'smoke', '--n', '8', '--seed', '5', '--format', 'npy', '--out', out], {
    cwd: work,
  });
  assert.equal(r.status, 0, r.stderr);
  const engine = /^engine: (\w+)/.exec(r.stdout)![1]!;
  await selectEngine(engine as 'wasm');
  // `gan sample` draws from the moving-average generator by default.
  const generator = await loadModel(join(work, 'checkpoints', 'smoke', 'epoch-0002', 'generator-ema'));
  const noise = latentNoise(8, 32, deriveSeed(5, Stream.sample));
  const ours = await generateImages(generator, noise);
  const npy = readFileSync(out);
  const data = new Float32Array(npy.buffer.slice(npy.byteOffset + 10 + npy.readUInt16LE(8)));
  assert.equal(data.length, 8 * 28 * 28);
  let maxDiff = 0;
  for (let i = 0; i < data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(data[i]! - (ours.pixels[i]! + 1) / 2));
  assert.ok(maxDiff < 1e-6, `max difference ${maxDiff}`);
  tf.dispose([noise]);
  generator.dispose();
});
