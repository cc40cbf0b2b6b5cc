// Latent interpolation: the slerp arithmetic, the class mixture, and `gan interpolate` end to
// end on real smoke checkpoints (unconditional and class-conditional).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { loadModel } from '../../src/checkpoint/model-io.ts';
import { selectEngine } from '../../src/engine/select.ts';
import { classMixRows, slerp, slerpPath } from '../../src/interpolation.ts';
import { deriveSeed, Stream } from '../../src/random.ts';
import { generateImages, latentNoise } from '../../src/sampling.ts';
import { runGan } from '../helpers.ts';
import { trainSmokeRun } from '../helpers/smoke-run.ts';

const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6) =>
  Array.from(a).every((x, i) => Math.abs(x - b[i]!) < tol);

describe('slerp', () => {
  const a = [1, 0, 0];
  const b = [0, 1, 0];
  test('returns the endpoints at t = 0 and t = 1', () => {
    const u = [0.3, -1.2, 2.5, 0.7];
    const v = [-0.4, 0.9, 0.1, 1.8];
    assert.ok(close(slerp(u, v, 0), u, 1e-6));
    assert.ok(close(slerp(u, v, 1), v, 1e-6));
  });
  test('keeps unit vectors on the unit sphere, at equal angular steps', () => {
    const mid = slerp(a, b, 0.5);
    assert.ok(close(mid, [Math.SQRT1_2, Math.SQRT1_2, 0]), `${mid}`);
    for (const t of [0.1, 0.25, 0.7, 0.9]) assert.ok(Math.abs(norm(slerp(a, b, t)) - 1) < 1e-6);
    // A straight line would dip to norm 0.707 at the middle; slerp does not.
    assert.ok(Math.abs(Math.acos(slerp(a, b, 1 / 3)[0]!) - Math.PI / 6) < 1e-6, '1/3 of the way = 30 degrees');
  });
  test('falls back to linear interpolation for parallel and opposite vectors (no NaN)', () => {
    assert.ok(close(slerp([1, 2], [2, 4], 0.5), [1.5, 3]));
    assert.ok(close(slerp([1, 0], [-1, 0], 0.25), [0.5, 0]));
    assert.ok(close(slerp([0, 0], [3, 4], 0.5), [1.5, 2]), 'a zero vector has no direction');
  });
  test('slerpPath lays out `steps` points with both ends included', () => {
    const path = slerpPath(a, b, 5);
    assert.equal(path.length, 15);
    assert.ok(close(path.subarray(0, 3), a) && close(path.subarray(12), b));
    assert.throws(() => slerpPath(a, b, 1), /steps must be ≥ 2/);
  });
});

test('classMixRows goes from one-hot A to one-hot B along each row', () => {
  const mix = classMixRows(3, 8, 10, 5, 2);
  const rows = mix.arraySync();
  assert.deepEqual(mix.shape, [10, 10]);
  assert.equal(rows[0]![3], 1);
  assert.ok(Math.abs(rows[2]![3]! - 0.5) < 1e-6 && Math.abs(rows[2]![8]! - 0.5) < 1e-6);
  assert.equal(rows[4]![8], 1);
  assert.deepEqual(rows[5], rows[0], 'every row is the same path');
  assert.ok(
    rows.every((r) => Math.abs(r.reduce((s, x) => s + x, 0) - 1) < 1e-6),
    'weights sum to 1',
  );
  tf.dispose(mix);
});

/** The PNG's images as arrays of gray levels, row-major, with the grid's 2-px padding. */
function gridCells(path: string, cols: number, rows: number): number[][] {
  const png = PNG.sync.read(readFileSync(path));
  assert.equal(png.width, cols * 28 + (cols + 1) * 2);
  assert.equal(png.height, rows * 28 + (rows + 1) * 2);
  return Array.from({ length: cols * rows }, (_, i) => {
    const x0 = 2 + (i % cols) * 30;
    const y0 = 2 + Math.floor(i / cols) * 30;
    return Array.from(
      { length: 28 * 28 },
      (_, p) => png.data[((y0 + Math.floor(p / 28)) * png.width + x0 + (p % 28)) * 4]!,
    );
  });
}
const diff = (a: number[], b: number[]) => a.reduce((s, x, i) => s + Math.abs(x - b[i]!), 0) / a.length;

describe('gan interpolate on smoke checkpoints', () => {
  const work = trainSmokeRun();
  const cond = trainSmokeRun(['--set', 'model.conditional=true']);

  test('writes rows x steps slerp paths, reproducible by --seed, changing smoothly along a row', () => {
    const out = join(work, 'interp.png');
    const r = runGan(['interpolate', '--ckpt', 'latest', '--steps', '6', '--rows', '3', '--seed', '11', '--out', out], {
      cwd: work,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote 3×6 interpolation \(slerp between random latent points/);
    const cells = gridCells(out, 6, 3);
    const again = join(work, 'again.png');
    assert.equal(
      runGan(['interpolate', '--steps', '6', '--rows', '3', '--seed', '11', '--out', again], { cwd: work }).status,
      0,
    );
    assert.deepEqual(readFileSync(again), readFileSync(out));
    // Neighbours along a row differ less than the two ends of the row.
    const step = diff(cells[0]!, cells[1]!);
    const span = diff(cells[0]!, cells[5]!);
    assert.ok(step < span, `neighbour difference ${step} < end-to-end ${span}`);
  });

  test('--class A:B on a conditional generator morphs class A into B with one z per row', async () => {
    const out = join(cond, 'classes.png');
    const r = runGan(
      ['interpolate', '--class', '3:8', '--steps', '5', '--rows', '2', '--seed', '2', '--no-ema', '--out', out],
      { cwd: cond },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /class 3 → 8 with one z per row; raw weights/);
    const cells = gridCells(out, 5, 2);
    assert.ok(diff(cells[0]!, cells[4]!) > 0, 'the class input changes the image');
    assert.ok(diff(cells[0]!, cells[5]!) > 0, 'rows have different z');
    // The ends of each row are exactly the generator's class-3 and class-8 images for that z.
    await selectEngine(/^engine: (\w+)/.exec(r.stdout)![1] as 'wasm');
    const generator = await loadModel(join(cond, 'checkpoints', 'smoke', 'epoch-0002', 'generator'));
    const z = tf.tidy(() => latentNoise(2, 32, deriveSeed(2, Stream.sample, 1)).gather([0, 1, 0, 1]) as tf.Tensor2D);
    const ends = await generateImages(generator, z, Int32Array.from([3, 3, 8, 8]));
    const gray = (i: number) =>
      Array.from(ends.pixels.subarray(i * 784, (i + 1) * 784), (v) =>
        Math.max(0, Math.min(255, Math.round((v + 1) * 127.5))),
      );
    for (const [image, cell] of [
      [0, 0],
      [1, 5],
      [2, 4],
      [3, 9],
    ] as const) {
      assert.ok(
        diff(gray(image), cells[cell]!) < 0.01,
        `end image ${image} vs grid cell ${cell}: ${diff(gray(image), cells[cell]!)}`,
      );
    }
    tf.dispose(z);
    generator.dispose();
  });

  test('bad --class values are one-line errors naming the option (exit 2)', () => {
    const notConditional = runGan(['interpolate', '--class', '1:2'], { cwd: work });
    assert.equal(notConditional.status, 2);
    assert.match(notConditional.stderr, /^gan: --class 1:2: this generator is not class-conditional/);
    const outOfRange = runGan(['interpolate', '--class', '3:10'], { cwd: cond });
    assert.equal(outOfRange.status, 2);
    assert.match(outOfRange.stderr, /^gan: --class 3:10: expected A:B with class ids from 0 to 9/);
    const steps = runGan(['interpolate', '--steps', '1'], { cwd: work });
    assert.equal(steps.status, 2);
    assert.match(steps.stderr, /--steps 1: expected an integer from 2 to 256/);
  });
});
