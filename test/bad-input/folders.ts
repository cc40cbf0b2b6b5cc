// data.source folder (image folders: layout, class names, unreadable files, size and channels)
// and the .npy files `gan classify --images` reads.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { runGan } from '../helpers.ts';
import { sets, type BadInputCase, type BadInputTable } from './case.ts';

/** `gan train` on the image folder `dir` (relative to the workspace), batch 4, plus `extra` settings. */
const trainOn = (dir: string, ...extra: string[]) => [
  'train',
  '--config',
  'tiny.yaml',
  ...sets('run.name=folder-new', 'data.source=folder', `data.dir=${dir}`, 'data.limit=0', 'train.batch_size=4'),
  ...sets(...extra),
];

/** `gan classify` of the .npy file `file` with the semi-supervised run made in setup. */
const classify = (file: string) => ['classify', '--ckpt', 'folders-ss', '--backend', 'cpu', '--images', file];

/** An 8×8 grey PNG, the same bytes for every image: the cases are about layout, not content. */
let png: Buffer;

/** `count` images in `work/dir`. */
function images(work: string, dir: string, count: number): void {
  mkdirSync(join(work, dir), { recursive: true });
  for (let i = 0; i < count; i++) writeFileSync(join(work, dir, `i${i}.png`), png);
}

/** A .npy file: the 10-byte preamble (12 from version 2), `dict` padded to 64 bytes, `floats` zeros. */
function npy(dict: string, floats: number, major = 1): Buffer {
  const preamble = major === 1 ? 10 : 12;
  const length = Math.ceil((preamble + dict.length + 1) / 64) * 64 - preamble;
  const header = Buffer.alloc(preamble + length, 0x20);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = major;
  header[7] = 0;
  if (major === 1) header.writeUInt16LE(length, 8);
  else header.writeUInt32LE(length, 8);
  header.write(dict, preamble, 'latin1');
  header[preamble + length - 1] = 0x0a;
  return Buffer.concat([header, Buffer.alloc(floats * 4)]);
}

/** A numpy header dict for float32 images of `shape`, with any of its fields replaced. */
const dict = (shape: string, descr = '<f4', fortran = 'False') =>
  `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': (${shape}), }`;

const NPY_EXPECTED = /expected float32 \('<f4'\) of shape \(n, 28, 28\) or \(n, 784\)/;

const cases: BadInputCase[] = [
  {
    name: 'folder source without data.dir',
    args: ['train', '--config', 'tiny.yaml', ...sets('run.name=folder-new', 'data.source=folder')],
    expect: /data\.source folder needs data\.dir/,
  },
  {
    name: 'data.dir that does not exist',
    args: trainOn('img/nope'),
    expect: /^gan: data\.dir img\/nope: not a directory/,
  },
  {
    name: 'data.dir that is a file',
    args: trainOn('img/file.png'),
    expect: /^gan: data\.dir img\/file\.png: not a directory/,
  },
  {
    name: 'empty image folder',
    args: trainOn('img/empty'),
    expect: /^gan: data\.dir img\/empty: no \.png\/\.jpg\/\.jpeg images/,
  },
  {
    name: 'a folder of files that are not PNG or JPEG',
    args: trainOn('img/no-images'),
    expect: /^gan: data\.dir img\/no-images: no \.png\/\.jpg\/\.jpeg images/,
  },
  {
    name: 'no image decodes',
    args: trainOn('img/undecodable'),
    expect: /^gan: data\.dir img\/undecodable: none of its 2 image files could be decoded/,
  },
  {
    name: 'only dangling symbolic links',
    args: trainOn('img/dangling'),
    expect: /^gan: data\.dir img\/dangling: none of its 2 image files could be decoded/,
  },
  {
    name: 'more than 256 class folders',
    args: trainOn('img/many'),
    expect: /^gan: data\.dir img\/many: 257 class folders; at most 256/,
  },
  {
    name: 'data.channels 2',
    args: trainOn('img/ok', 'data.channels=2'),
    expect: /^gan: tiny\.yaml:\d+: data\.channels: expected 1 \(greyscale\) or 3 \(RGB\), got 2$/,
  },
  {
    name: 'data.size below 8',
    args: trainOn('img/ok', 'data.size=4'),
    expect: /^gan: tiny\.yaml:\d+: data\.size: .*>=8, got 4$/,
  },
  {
    name: 'data.size above 256',
    args: trainOn('img/ok', 'data.size=512'),
    expect: /^gan: tiny\.yaml:\d+: data\.size: .*<=256, got 512$/,
  },
  {
    name: 'data.size for a source that is not a folder',
    args: ['train', '--config', 'tiny.yaml', ...sets('run.name=folder-new', 'data.size=32')],
    expect: /data\.size: only data\.source folder converts images; bundled images have size 28/,
  },
  {
    name: 'a conditional run on a flat (unlabelled) folder',
    args: trainOn('img/flat', 'model.conditional=true'),
    expect:
      /^gan: model\.conditional: needs labelled images of at least 2 classes, but the training images are unlabelled \(img\/flat \(train\), 8 images, unlabelled, .*\); an image folder is labelled by its class sub-folders$/,
  },
  {
    name: 'a conditional run on a folder of one class',
    args: trainOn('img/one-class', 'model.conditional=true'),
    expect:
      /^gan: model\.conditional: needs labelled images of at least 2 classes, but the training images are all of 1 class, a \(img\/one-class\/train \(train\), 8 images, 1 class, .*\); an image folder is labelled by its class sub-folders$/,
  },
  {
    name: 'test/ with a class that train/ lacks',
    args: trainOn('img/extra-test-class', 'eval.every=1'),
    expect:
      /^gan: data\.dir img\/extra-test-class: img\/extra-test-class\/test has class folders that img\/extra-test-class\/train lacks: c, d \(test images are labelled by the training class of the same name\)$/,
  },
  {
    name: 'test/ flat while train/ has class folders',
    args: trainOn('img/flat-test', 'eval.every=1'),
    expect:
      /^gan: data\.dir img\/flat-test: img\/flat-test\/test has no class folders, but img\/flat-test\/train has 2 \(a, b\)/,
  },
  {
    name: 'test/ with class folders while train/ is flat',
    args: trainOn('img/flat-train', 'eval.every=1'),
    expect:
      /^gan: data\.dir img\/flat-train: img\/flat-train\/train has no class folders, but img\/flat-train\/test has 2 \(a, b\)/,
  },
  {
    name: 'test/ without train/',
    args: trainOn('img/test-only'),
    expect:
      /^gan: data\.dir img\/test-only: has test\/ but no train\/; put the training images in img\/test-only\/train/,
  },
  {
    name: 'an empty test/',
    args: trainOn('img/empty-test', 'eval.every=1'),
    expect: /^gan: data\.dir img\/empty-test\/test: no \.png\/\.jpg\/\.jpeg images/,
  },
  {
    name: 'a test split of 3 images',
    args: trainOn('img/three-test', 'eval.every=1'),
    expect: /^gan: data: 3 test images, but evaluation needs at least 4 \(.*\); the test split: img\/three-test\/test /,
  },
  {
    name: '.npy cut inside its header',
    args: classify('npy/cut-header.npy'),
    expect: /^gan: npy\/cut-header\.npy: cut short: its header says \d+ bytes, the file ends after \d+/,
  },
  {
    name: '.npy cut inside its preamble',
    args: classify('npy/cut-preamble.npy'),
    expect:
      /^gan: npy\/cut-preamble\.npy: cut short: 11 bytes, not even a whole \.npy preamble \(12 bytes in version 2\)$/,
  },
  {
    name: '.npy of an unknown format version',
    args: classify('npy/version9.npy'),
    expect: /^gan: npy\/version9\.npy: \.npy format version 9\.0; expected 1\.0, 2\.0 or 3\.0$/,
  },
  {
    name: '.npy header without a shape',
    args: classify('npy/no-shape.npy'),
    expect: /^gan: npy\/no-shape\.npy: its header has no 'shape'/,
  },
  {
    name: 'Fortran-order .npy',
    args: classify('npy/fortran.npy'),
    expect:
      /^gan: npy\/fortran\.npy: a Fortran-order \(column-major\) array; expected C order \(row-major\).*np\.ascontiguousarray/,
  },
  {
    name: 'float64 .npy',
    args: classify('npy/float64.npy'),
    expect: /^gan: npy\/float64\.npy: <f8 array of shape \(2, 28, 28\); expected float32/,
  },
  {
    name: '.npy of the wrong image size',
    args: classify('npy/side32.npy'),
    expect: new RegExp(`^gan: npy/side32\\.npy: shape \\(2, 32, 32\\); ${NPY_EXPECTED.source}`),
  },
  {
    name: '.npy with too few data bytes',
    args: classify('npy/short-data.npy'),
    expect: /^gan: npy\/short-data\.npy: 6268 data bytes; shape \(2, 28, 28\) of float32 needs 6272 \(cut short\)$/,
  },
  {
    name: '.npy with bytes after its data',
    args: classify('npy/long-data.npy'),
    expect: /^gan: npy\/long-data\.npy: 6280 data bytes; shape \(2, 28, 28\) of float32 needs 6272 \(8 too many\)$/,
  },
  {
    name: 'a PNG named .npy',
    args: classify('npy/image.npy'),
    expect: /^gan: npy\/image\.npy: not a \.npy file \(no \\x93NUMPY magic\)$/,
  },
  {
    name: '.npy of no images',
    args: classify('npy/empty.npy'),
    expect: /^gan: npy\/empty\.npy: no images \(shape \(0, 28, 28\)\)$/,
  },
  {
    name: '.npy with values 0 to 255',
    args: classify('npy/bytes.npy'),
    expect: /^gan: npy\/bytes\.npy: values up to 255 \(image 1\); expected \[0, 1\] \(divide 0–255 images by 255\)$/,
  },
  {
    name: '.npy with a NaN',
    args: classify('npy/nan.npy'),
    expect: /^gan: npy\/nan\.npy: a NaN value \(image 2\); expected values in \[0, 1\]$/,
  },
];

export const table: BadInputTable = {
  area: 'image folders and .npy files',
  cases,
  async setup(work) {
    png = await sharp(Buffer.alloc(8 * 8, 128), { raw: { width: 8, height: 8, channels: 1 } })
      .png()
      .toBuffer();
    for (const split of ['train', 'test']) for (const c of ['a', 'b']) images(work, `img/ok/${split}/${c}`, 4);
    writeFileSync(join(work, 'img', 'file.png'), png);
    mkdirSync(join(work, 'img', 'empty'));
    mkdirSync(join(work, 'img', 'no-images'));
    writeFileSync(join(work, 'img', 'no-images', 'notes.txt'), 'not an image');
    writeFileSync(join(work, 'img', 'no-images', 'x.gif'), 'GIF89a');
    mkdirSync(join(work, 'img', 'undecodable'));
    for (const name of ['a.png', 'b.jpg']) writeFileSync(join(work, 'img', 'undecodable', name), 'not an image');
    mkdirSync(join(work, 'img', 'dangling'));
    for (const name of ['a.png', 'b.png']) symlinkSync(join(work, 'gone.png'), join(work, 'img', 'dangling', name));
    for (let c = 0; c < 257; c++) mkdirSync(join(work, 'img', 'many', `c${c}`), { recursive: true });
    images(work, 'img/flat', 8);
    images(work, 'img/one-class/train/a', 8);
    for (const c of ['a', 'b']) images(work, `img/extra-test-class/train/${c}`, 4);
    for (const c of ['a', 'c', 'd']) images(work, `img/extra-test-class/test/${c}`, 2);
    for (const c of ['a', 'b']) images(work, `img/flat-test/train/${c}`, 4);
    images(work, 'img/flat-test/test', 4);
    images(work, 'img/flat-train/train', 8);
    for (const c of ['a', 'b']) images(work, `img/flat-train/test/${c}`, 2);
    for (const c of ['a', 'b', 'test/a', 'test/b']) images(work, `img/test-only/${c}`, 4);
    for (const c of ['a', 'b']) images(work, `img/empty-test/train/${c}`, 4);
    mkdirSync(join(work, 'img', 'empty-test', 'test'));
    for (const c of ['a', 'b']) images(work, `img/three-test/train/${c}`, 4);
    images(work, 'img/three-test/test/a', 2);
    images(work, 'img/three-test/test/b', 1);

    // A semi-supervised run whose discriminator classifies 28×28 greyscale images.
    const ss = ['run.name=folders-ss', 'model.arch=ssgan', 'model.g_widths=[16]', 'model.d_widths=[16]'];
    const r = runGan(['train', '--config', 'tiny.yaml', ...sets(...ss, 'ssgan.labels=10', 'train.batch_size=8')], {
      cwd: work,
    });
    assert.equal(r.status, 0, r.stderr);
    const dir = join(work, 'npy');
    mkdirSync(dir);
    const good = npy(dict('2, 28, 28'), 2 * 784);
    writeFileSync(join(dir, 'cut-header.npy'), good.subarray(0, 40));
    writeFileSync(join(dir, 'cut-preamble.npy'), npy(dict('2, 28, 28'), 0, 2).subarray(0, 11));
    const version9 = Buffer.from(good);
    version9[6] = 9;
    writeFileSync(join(dir, 'version9.npy'), version9);
    writeFileSync(join(dir, 'no-shape.npy'), npy("{'descr': '<f4', 'fortran_order': False, }", 2 * 784));
    writeFileSync(join(dir, 'fortran.npy'), npy(dict('2, 28, 28', '<f4', 'True'), 2 * 784));
    writeFileSync(join(dir, 'float64.npy'), npy(dict('2, 28, 28', '<f8'), 4 * 784));
    writeFileSync(join(dir, 'side32.npy'), npy(dict('2, 32, 32'), 2 * 1024));
    writeFileSync(join(dir, 'short-data.npy'), good.subarray(0, good.length - 4));
    writeFileSync(join(dir, 'long-data.npy'), Buffer.concat([good, Buffer.alloc(8)]));
    writeFileSync(join(dir, 'image.npy'), png);
    writeFileSync(join(dir, 'empty.npy'), npy(dict('0, 28, 28'), 0));
    const bytes = Buffer.from(good);
    bytes.writeFloatLE(255, bytes.length - 2 * 784 * 4 + 100);
    writeFileSync(join(dir, 'bytes.npy'), bytes);
    const nan = Buffer.from(good);
    nan.writeFloatLE(Number.NaN, nan.length - 4);
    writeFileSync(join(dir, 'nan.npy'), nan);
  },
};
