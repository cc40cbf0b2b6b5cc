import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { decodeNpy, encodeGrid, encodeNpy, encodeSingle, GRID_PADDING, type ImageBatch } from '../src/image.ts';
import { tempDir } from './helpers/temp-dir.ts';

function ramp(count: number, h: number, w: number): ImageBatch {
  const pixels = new Float32Array(count * h * w);
  for (let i = 0; i < pixels.length; i++) pixels[i] = ((i % 256) / 255) * 2 - 1;
  return { pixels, count, height: h, width: w, channels: 1 };
}

test('grid PNG: ceil(sqrt(n)) columns, padding, and pixel values mapped from [-1, 1]', () => {
  const batch = ramp(10, 28, 28);
  const png = PNG.sync.read(encodeGrid(batch));
  // 10 images -> 4 columns x 3 rows.
  assert.equal(png.width, 4 * 28 + 5 * GRID_PADDING);
  assert.equal(png.height, 3 * 28 + 4 * GRID_PADDING);
  // Image 5 sits in column 1, row 1; its pixel (3, 2) must be the ramp's value there.
  const x = GRID_PADDING + 1 * (28 + GRID_PADDING) + 2;
  const y = GRID_PADDING + 1 * (28 + GRID_PADDING) + 3;
  const expected = Math.round((batch.pixels[5 * 784 + 3 * 28 + 2]! + 1) * 127.5);
  assert.equal(png.data[(y * png.width + x) * 4], expected);
  assert.equal(png.data[0], 0, 'padding is black');
});

test('single PNG keeps the image size and clamps out-of-range values', () => {
  const batch: ImageBatch = {
    pixels: Float32Array.from([-2, -1, 0, 1, 2, 0.5]),
    count: 1,
    height: 2,
    width: 3,
    channels: 1,
  };
  const png = PNG.sync.read(encodeSingle(batch, 0));
  assert.equal(png.width, 3);
  assert.equal(png.height, 2);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((i) => png.data[i * 4]),
    [0, 0, 128, 255, 255, 191],
  );
});

test('npy output has a valid header and float32 data in [0, 1]', () => {
  const batch = ramp(3, 28, 28);
  const buf = encodeNpy(batch);
  assert.equal(buf.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  const headerLen = buf.readUInt16LE(8);
  assert.equal((10 + headerLen) % 64, 0, 'data aligned to 64 bytes');
  assert.match(buf.subarray(10, 10 + headerLen).toString('latin1'), /'shape': \(3, 28, 28\)/);
  assert.equal(buf.length, 10 + headerLen + 3 * 784 * 4);
  assert.ok(Math.abs(buf.readFloatLE(10 + headerLen + 4 * 255) - 1) < 1e-6);
});

test('numpy reads the npy file back (when python3 with numpy is present)', (t) => {
  const batch = ramp(2, 28, 28);
  const dir = tempDir('gan-npy-');
  const file = join(dir, 'x.npy');
  writeFileSync(file, encodeNpy(batch));
  const script =
    `import numpy as np; a = np.load(${JSON.stringify(file)}); print(a.shape); print(a.dtype); ` +
    `print(repr(float(a[1, 9, 3])))`;
  // The python3 on PATH first, then Debian's, where CI installs python3-numpy.
  let out: string | undefined;
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      out = execFileSync(python, ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      break;
    } catch {
      // not there, or without numpy: try the next
    }
  }
  if (out === undefined) {
    t.skip('no python3 with numpy to read the file back (CI installs Debian python3-numpy)');
    return;
  }
  const [shape, dtype, value] = out.trim().split('\n');
  assert.equal(shape, '(2, 28, 28)');
  assert.equal(dtype, 'float32');
  const expected = Math.fround((batch.pixels[784 + 9 * 28 + 3]! + 1) / 2);
  assert.ok(expected > 0.01 && expected < 0.99, 'a pixel strictly inside (0, 1)');
  assert.equal(Number(value), expected);
});

test('RGB batches: grid pixels keep their three channels; npy is (n, h, w, 3) and reads back', () => {
  // 2 images of 2×3 pixels: image i, pixel p, channel c has its own value.
  const pixels = Float32Array.from({ length: 2 * 6 * 3 }, (_, k) => (k / 35) * 2 - 1);
  const batch: ImageBatch = { pixels, count: 2, height: 2, width: 3, channels: 3 };
  const grid = encodeGrid(batch, 2);
  assert.equal(grid[25], 2, 'PNG colour type 2 (RGB)');
  const png = PNG.sync.read(grid);
  assert.deepEqual([png.width, png.height], [2 * 3 + 3 * GRID_PADDING, 2 + 2 * GRID_PADDING]);
  // Image 1, row 1, column 2 → grid (x, y) = (PAD + 3 + PAD + 2, PAD + 1).
  const [x, y] = [GRID_PADDING + 3 + GRID_PADDING + 2, GRID_PADDING + 1];
  const at = (y * png.width + x) * 4;
  const k = ((1 * 2 + 1) * 3 + 2) * 3;
  assert.deepEqual(
    [...png.data.subarray(at, at + 3)],
    [0, 1, 2].map((c) => Math.round((pixels[k + c]! + 1) * 127.5)),
  );
  const single = PNG.sync.read(encodeSingle(batch, 1));
  assert.deepEqual(
    [...single.data.subarray(0, 3)],
    [0, 1, 2].map((c) => Math.round((pixels[18 + c]! + 1) * 127.5)),
  );

  const npy = encodeNpy(batch);
  assert.match(npy.toString('latin1', 10, 80), /'shape': \(2, 2, 3, 3\)/);
  const back = decodeNpy(npy, 'x.npy', { height: 2, width: 3, channels: 3 });
  assert.equal(back.channels, 3);
  back.pixels.forEach((v, i) => assert.ok(Math.abs(v - pixels[i]!) < 1e-6));
  assert.throws(
    () => decodeNpy(npy, 'x.npy', { height: 2, width: 3, channels: 1 }),
    /^UserError: x\.npy: shape \(2, 2, 3, 3\); expected .*\(n, 2, 3\)/,
  );
});
