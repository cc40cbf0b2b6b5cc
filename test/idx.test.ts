import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { UserError } from '../src/errors.js';
import { encodeIdx, readIdxFile, readIdxPair } from '../src/data/idx.js';
import { SHARED_DATA, makeImages, makeLabels, tempDir } from './helpers/data-fixtures.js';

/** Asserts a UserError whose one-line message names `file` and matches `what`. */
async function rejectsNaming(promise: Promise<unknown>, file: string, what: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    assert.ok(err.message.includes(file), `message should name ${file}: ${err.message}`);
    assert.match(err.message, what);
    assert.ok(!err.message.includes('\n'), 'message is one line');
    return true;
  });
}

test('IDX round-trip: raw and gzipped images and labels, gzip detected by content not name', async (t) => {
  const dir = await tempDir(t);
  const images = makeImages(37, 7, 5, 3);
  const labels = makeLabels(37);
  for (const gzip of [false, true]) {
    // Deliberately misleading names: a raw file called .gz and a gzip file without .gz.
    const imagesPath = join(dir, gzip ? `images-${gzip}` : `images-${gzip}.gz`);
    const labelsPath = join(dir, gzip ? `labels-${gzip}` : `labels-${gzip}.gz`);
    await writeFile(imagesPath, encodeIdx(images, { gzip }));
    await writeFile(labelsPath, encodeIdx(labels, { gzip }));
    const pair = await readIdxPair(imagesPath, labelsPath);
    assert.deepEqual(
      { count: pair.images.count, height: pair.images.height, width: pair.images.width },
      { count: 37, height: 5, width: 3 },
    );
    assert.deepEqual(Buffer.from(pair.images.pixels), Buffer.from(images.pixels));
    assert.deepEqual(Buffer.from(pair.labels.labels), Buffer.from(labels.labels));
  }
});

test('IDX header bytes are the standard ones (0x00000803 + big-endian dims)', () => {
  const bytes = encodeIdx(makeImages(2, 1, 28, 28));
  assert.equal(bytes.readUInt32BE(0), 0x00000803);
  assert.deepEqual([bytes.readUInt32BE(4), bytes.readUInt32BE(8), bytes.readUInt32BE(12)], [2, 28, 28]);
  assert.equal(bytes.length, 16 + 2 * 28 * 28);
  assert.equal(encodeIdx(makeLabels(3)).readUInt32BE(0), 0x00000801);
});

test('malformed IDX files are UserErrors naming the file', async (t) => {
  const dir = await tempDir(t);
  const good = encodeIdx(makeImages(4, 1, 28, 28));
  const write = async (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };

  const wrongMagic = Buffer.from(good);
  wrongMagic.write('<htm', 0, 'latin1'); // a mirror's HTML error page
  let path = await write('wrong-magic', wrongMagic);
  await rejectsNaming(readIdxFile(path, 'images'), path, /not an IDX file \(magic number 0x3c68746d/);

  const wrongType = Buffer.from(good);
  wrongType[2] = 0x0d;
  path = await write('wrong-type', wrongType);
  await rejectsNaming(readIdxFile(path, 'images'), path, /element type 0x0d \(float32\) is not supported/);

  path = await write('truncated-raw', good.subarray(0, good.length - 100));
  await rejectsNaming(readIdxFile(path, 'images'), path, /truncated: .*3,136 bytes of data but only 3,036 follow/);

  path = await write('truncated-header', good.subarray(0, 10));
  await rejectsNaming(readIdxFile(path, 'images'), path, /truncated IDX header/);

  const gz = gzipSync(good);
  path = await write('truncated.gz', gz.subarray(0, gz.length - 20));
  await rejectsNaming(readIdxFile(path, 'images'), path, /gzip data is truncated \(unexpected end of file\)/);

  const corruptGz = Buffer.from(gz);
  corruptGz[3] = 0xff; // reserved flag bits
  path = await write('corrupt.gz', corruptGz);
  await rejectsNaming(readIdxFile(path, 'images'), path, /gzip data is corrupt/);

  path = await write('trailing', Buffer.concat([good, Buffer.from([1, 2, 3])]));
  await rejectsNaming(readIdxFile(path, 'images'), path, /3 trailing byte\(s\) after the 3,136 bytes/);

  path = await write('labels-as-images', encodeIdx(makeLabels(4)));
  await rejectsNaming(readIdxFile(path, 'images'), path, /is an IDX labels file .* but images were expected/);

  const wrongDims = Buffer.from(good);
  wrongDims[3] = 2;
  path = await write('two-dims', wrongDims);
  await rejectsNaming(readIdxFile(path), path, /has 2 dimensions; expected 3 \(images\) or 1 \(labels\)/);

  path = join(dir, 'absent.gz');
  await rejectsNaming(readIdxFile(path), path, /file not found/);
});

test('images and labels counts must agree; the labels file is named with both counts', async (t) => {
  const dir = await tempDir(t);
  const imagesPath = join(dir, 'images.gz');
  const labelsPath = join(dir, 'labels.gz');
  await writeFile(imagesPath, encodeIdx(makeImages(10), { gzip: true }));
  await writeFile(labelsPath, encodeIdx(makeLabels(9), { gzip: true }));
  await rejectsNaming(
    readIdxPair(imagesPath, labelsPath),
    labelsPath,
    /holds 9 labels but .*images\.gz holds 10 images/,
  );
});

test('real Fashion-MNIST from the shared data folder parses (optional)', async (t) => {
  const dir = join(SHARED_DATA, 'fashion-mnist');
  if (!existsSync(dir)) {
    t.skip(`${dir} not present (only on the development machine)`);
    return;
  }
  const started = performance.now();
  const train = await readIdxPair(join(dir, 'train-images-idx3-ubyte.gz'), join(dir, 'train-labels-idx1-ubyte.gz'));
  const ms = performance.now() - started;
  t.diagnostic(`parsed 60,000 Fashion-MNIST training images in ${ms.toFixed(0)} ms`);
  assert.deepEqual([train.images.count, train.images.height, train.images.width], [60000, 28, 28]);
  const perClass = new Array<number>(10).fill(0);
  for (const l of train.labels.labels) perClass[l]!++;
  assert.deepEqual(perClass, new Array(10).fill(6000));
});
