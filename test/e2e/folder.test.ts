import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { parseConfig } from '../../src/config.ts';
import { loadImageSet } from '../../src/data/index.ts';
import { GRID_PADDING } from '../../src/image.ts';
import { ROOT, runGan } from '../helpers.ts';
import { checkedPage, chromiumMissing, DESKTOP, withBrowser } from '../helpers/browser.ts';
import { serveFolder } from '../../src/export/serve.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const quiet = { log: () => {}, warn: () => {} };

/** A width × height PNG (or JPEG), black, with a white rectangle [x0, x1) × [y0, y1). */
async function writeImage(path: string, width: number, height: number, rect: number[], jpeg = false): Promise<void> {
  const [x0, y0, x1, y1] = rect as [number, number, number, number];
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) rgb.fill(255, (y * width + x) * 3, (y * width + x + 1) * 3);
  const img = sharp(rgb, { raw: { width, height, channels: 3 } });
  writeFileSync(path, await (jpeg ? img.jpeg({ quality: 95 }) : img.png()).toBuffer());
}

/** dir/{train,test}/{circle,square}/: labelled images of two classes, and a few bad files. */
async function labelledFolder(): Promise<string> {
  const dir = tempDir('gan-folder-');
  for (const split of ['train', 'test']) {
    for (const cls of ['square', 'bar']) mkdirSync(join(dir, split, cls), { recursive: true });
    for (let i = 0; i < 6; i++) {
      // square: the top-left quarter of a 56×56 image is white; bar: a non-square 80×40 JPEG
      // whose centre columns are white (cropped to the centre 40×40, then scaled).
      await writeImage(join(dir, split, 'square', `s${i}.png`), 56, 56, [0, 0, 28, 28]);
      await writeImage(join(dir, split, 'bar', `b${i}.jpg`), 80, 40, [30, 0, 50, 40], true);
    }
  }
  writeFileSync(join(dir, 'train', 'square', 'broken.png'), 'not a png at all');
  writeFileSync(join(dir, 'train', 'bar', 'notes.txt'), 'ignored');
  return dir;
}

/** `gan train` arguments: one epoch of the smoke config on the image folder `dir`, batch 4, grid 4, plus `sets`. */
const trainOnFolder = (dir: string, ...sets: string[]) => [
  'train',
  '--config',
  join(ROOT, 'configs', 'smoke.yaml'),
  '--epochs',
  '1',
  ...['data.source=folder', `data.dir=${dir}`, 'data.limit=0', 'train.batch_size=4', 'sample.grid=4', ...sets].flatMap(
    (s) => ['--set', s],
  ),
];

const config = (dir: string) => parseConfig('', 'folder.yaml', ['data.source=folder', `data.dir=${dir}`]).data;

test('data.source folder: class sub-folders become labels; images are decoded, cropped, scaled, cached', async () => {
  const dir = await labelledFolder();
  const cacheDir = tempDir('gan-folder-cache-');
  const warnings: string[] = [];
  const io = { log: () => {}, warn: (m: string) => warnings.push(m), cacheDir };
  const train = await loadImageSet(config(dir), 'train', io);
  assert.deepEqual(train.classes, ['bar', 'square'], 'classes in sorted folder order');
  assert.equal(train.count, 12, 'the broken PNG is skipped, the .txt ignored');
  assert.deepEqual([...train.labels], [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^skipped .*broken\.png: /);
  assert.equal(train.height, 28);
  // square: the top-left 14×14 is white, the rest black (exact up to the resampler's edge row).
  const square = train.images.subarray(6 * 784, 7 * 784);
  assert.ok(square[3 * 28 + 3]! > 250 && square[20 * 28 + 20]! < 5, 'top-left quarter white, rest black');
  // bar: the middle columns of the centre crop are white; the crop dropped the black sides.
  const bar = train.images.subarray(0, 784);
  assert.ok(bar[14 * 28 + 14]! > 240 && bar[14 * 28 + 2]! < 15, 'centre white, edges black');

  const again = await loadImageSet(config(dir), 'train', io);
  assert.match(again.origin, /cached in .*\(1 unreadable files skipped\)/);
  assert.deepEqual(again.images, train.images, 'the cache holds the same bytes');
  assert.equal(readdirSync(cacheDir).length, 1);

  // A changed file (new modification time) makes a new conversion.
  const file = join(dir, 'train', 'square', 's0.png');
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  const changed = await loadImageSet(config(dir), 'train', io);
  assert.match(changed.origin, /converted now/);
  assert.equal(readdirSync(cacheDir).length, 2);

  const test = await loadImageSet(config(dir), 'test', io);
  assert.equal(test.count, 12);
});

test('data.source folder: a flat folder is unlabelled; missing pieces are one-line errors', async () => {
  const flat = tempDir('gan-flat-');
  for (let i = 0; i < 3; i++) await writeImage(join(flat, `x${i}.png`), 28, 28, [10, 10, 18, 18]);
  const cacheDir = tempDir('gan-folder-cache-');
  const set = await loadImageSet(config(flat), 'train', { ...quiet, cacheDir });
  assert.deepEqual(set.classes, []);
  assert.equal(set.count, 3);
  await assert.rejects(loadImageSet(config(flat), 'test', { ...quiet, cacheDir }), /no test\/ folder/);
  const empty = tempDir('gan-empty-');
  await assert.rejects(loadImageSet(config(empty), 'train', { ...quiet, cacheDir }), /no \.png\/\.jpg\/\.jpeg images/);
  await assert.rejects(
    loadImageSet(config(join(empty, 'nope')), 'train', { ...quiet, cacheDir }),
    /data\.dir .*nope: not a directory/,
  );
  await assert.rejects(
    loadImageSet(parseConfig('', 'f.yaml', ['data.source=folder']).data, 'train', { ...quiet, cacheDir }),
    /data\.source folder needs data\.dir/,
  );
});

test('data.source folder: symbolic links to class folders and to images are followed', async () => {
  const elsewhere = tempDir('gan-linked-');
  mkdirSync(join(elsewhere, 'bar'));
  for (let i = 0; i < 3; i++) await writeImage(join(elsewhere, 'bar', `b${i}.png`), 28, 28, [10, 0, 18, 28]);
  const dir = tempDir('gan-links-');
  mkdirSync(join(dir, 'square'));
  for (let i = 0; i < 2; i++) await writeImage(join(dir, 'square', `s${i}.png`), 28, 28, [0, 0, 14, 14]);
  symlinkSync(join(elsewhere, 'bar'), join(dir, 'bar'));
  const cacheDir = tempDir('gan-folder-cache-');
  const linkedClass = await loadImageSet(config(dir), 'train', { ...quiet, cacheDir });
  assert.deepEqual(linkedClass.classes, ['bar', 'square'], 'the linked class folder is a class');
  assert.deepEqual([...linkedClass.labels], [0, 0, 0, 1, 1]);

  const links = tempDir('gan-linked-images-');
  for (let i = 0; i < 3; i++) symlinkSync(join(elsewhere, 'bar', `b${i}.png`), join(links, `x${i}.png`));
  const linkedImages = await loadImageSet(config(links), 'train', { ...quiet, cacheDir });
  assert.equal(linkedImages.count, 3, 'linked images are read');
  assert.deepEqual(linkedImages.images, linkedClass.images.subarray(0, 3 * 784), 'the same pixels as the targets');
});

test('data.source folder: a test split with some of the training classes is labelled by name', async () => {
  const dir = tempDir('gan-subset-');
  for (const cls of ['a', 'b', 'c']) {
    mkdirSync(join(dir, 'train', cls), { recursive: true });
    await writeImage(join(dir, 'train', cls, 'x.png'), 28, 28, [0, 0, 4, 4]);
  }
  mkdirSync(join(dir, 'test', 'c'), { recursive: true });
  for (let i = 0; i < 2; i++) await writeImage(join(dir, 'test', 'c', `x${i}.png`), 28, 28, [0, 0, 4, 4]);
  const lines: string[] = [];
  const io = { log: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), cacheDir: tempDir('gan-c-') };
  const test = await loadImageSet(config(dir), 'test', io);
  assert.deepEqual(test.classes, ['a', 'b', 'c'], "the training split's classes");
  assert.deepEqual([...test.labels], [2, 2], 'c is class 2, as in training');
  assert.match(
    lines.join('\n'),
    /test: no test images of a, b; its 1 class folders are labelled as the training classes/,
  );

  mkdirSync(join(dir, 'test', 'd'));
  await writeImage(join(dir, 'test', 'd', 'x.png'), 28, 28, [0, 0, 4, 4]);
  await assert.rejects(loadImageSet(config(dir), 'test', io), /test has class folders that .*train lacks: d /);
});

test('data.source folder: a torn cache entry is converted again, with a warning naming it', async () => {
  const dir = await labelledFolder();
  const cacheDir = tempDir('gan-folder-cache-');
  const first = await loadImageSet(config(dir), 'train', { ...quiet, cacheDir });
  const meta = join(cacheDir, readdirSync(cacheDir)[0]!, 'meta.json');
  writeFileSync(meta, readFileSync(meta, 'utf8').slice(0, 20));
  const warnings: string[] = [];
  const again = await loadImageSet(config(dir), 'train', { log: () => {}, warn: (m) => warnings.push(m), cacheDir });
  assert.ok(
    warnings.some((w) => w.startsWith(`${meta}: damaged cache entry (`)),
    `a warning naming ${meta}: ${warnings}`,
  );
  assert.match(again.origin, /converted now/);
  assert.deepEqual(again.images, first.images);
  const third = await loadImageSet(config(dir), 'train', { ...quiet, cacheDir });
  assert.match(third.origin, /cached in/, 'the entry was rewritten whole');
});

test('gan train on an image folder: a conditional run trains; a conditional run on a flat folder exits 2', async () => {
  const dir = await labelledFolder();
  const work = tempDir('gan-folder-run-');
  const ok = runGan(trainOnFolder(dir, 'model.conditional=true', 'run.name=folder'), { cwd: work });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /converted 12 images of .*train to 28×28 greyscale \(1 unreadable skipped, 1 other files/);
  const flat = tempDir('gan-flat-');
  for (let i = 0; i < 8; i++) await writeImage(join(flat, `x${i}.png`), 28, 28, [i, i, i + 8, i + 8]);
  const bad = runGan(trainOnFolder(flat, 'model.conditional=true'), { cwd: work });
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(
    bad.stderr,
    /^gan: model\.conditional: needs labelled images of at least 2 classes, but the training images are unlabelled \(/,
  );
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});

test('gan eval, conditional run, a class without test images: per-class FID left out, with a warning', async () => {
  const dir = await labelledFolder();
  mkdirSync(join(dir, 'train', 'dot'));
  for (let i = 0; i < 6; i++) await writeImage(join(dir, 'train', 'dot', `d${i}.png`), 28, 28, [12, 12, 16, 16]);
  const work = tempDir('gan-folder-run-');
  const trained = runGan(trainOnFolder(dir, 'model.conditional=true', 'run.name=thin'), { cwd: work });
  assert.equal(trained.status, 0, trained.stderr);
  const json = join(work, 'eval.json');
  const r = runGan(['eval', '--ckpt', 'thin', '--n', '20', '--classifier-epochs', '1', '--json', json], { cwd: work });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /test: no test images of dot; its 2 class folders are labelled as the training classes/);
  assert.match(r.stderr, /per-class FID .*dot/);
  assert.equal(JSON.parse(readFileSync(json, 'utf8')).per_class_fid, null);
});

/** A 40×40 colour PNG: black with one `colour` rectangle [x0, x1) × [y0, y1). */
async function writeColourImage(path: string, colour: number[], rect: number[]): Promise<void> {
  const [x0, y0, x1, y1] = rect as [number, number, number, number];
  const rgb = Buffer.alloc(40 * 40 * 3);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) rgb.set(colour, (y * 40 + x) * 3);
  writeFileSync(
    path,
    await sharp(rgb, { raw: { width: 40, height: 40, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/** dir/{train,test}/{red,blue}/: a red square top-left or a blue bar in the middle. */
async function colourFolder(): Promise<string> {
  const dir = tempDir('gan-colour-');
  for (const split of ['train', 'test']) {
    for (const cls of ['red', 'blue']) mkdirSync(join(dir, split, cls), { recursive: true });
    for (let i = 0; i < 8; i++) {
      await writeColourImage(join(dir, split, 'red', `r${i}.png`), [255, 0, 0], [0, 0, 20, 20]);
      await writeColourImage(join(dir, split, 'blue', `b${i}.png`), [0, 0, 255], [15, 0, 25, 40]);
    }
  }
  return dir;
}

/** The shape tuple in a .npy header. */
const npyShape = (bytes: Buffer) => /'shape': \(([^)]*)\)/.exec(bytes.toString('latin1', 0, 128))?.[1];

test('colour 32×32 folder: decoded to RGB, channels last', async () => {
  const dir = await colourFolder();
  const rgb = parseConfig('', 'c.yaml', ['data.source=folder', `data.dir=${dir}`, 'data.size=32', 'data.channels=3']);
  const train = await loadImageSet(rgb.data, 'train', { ...quiet, cacheDir: tempDir('gan-folder-cache-') });
  assert.deepEqual([train.height, train.width, train.channels, train.count], [32, 32, 3, 16]);
  assert.equal(train.images.length, 16 * 32 * 32 * 3, 'channels last, three bytes a pixel');
  // blue comes first (sorted); image 8 is red: its top-left pixel is (255, 0, 0), its far corner black.
  const red = train.images.subarray(8 * 3072, 9 * 3072);
  assert.deepEqual([...red.subarray(0, 3)], [255, 0, 0]);
  assert.deepEqual([...red.subarray(3069, 3072)], [0, 0, 0]);
  const blue = train.images.subarray(0, 3072);
  assert.deepEqual([...blue.subarray((16 * 32 + 16) * 3, (16 * 32 + 16) * 3 + 3)], [0, 0, 255]);
});

/** One colour run the next tests share: `gan train` on the colour folder, in its own directory. */
let colourRun: Promise<{ work: string; stdout: string }> | undefined;
function trainedColourRun(): Promise<{ work: string; stdout: string }> {
  colourRun ??= (async () => {
    const dir = await colourFolder();
    const work = tempDir('gan-colour-run-');
    const run = runGan(trainOnFolder(dir, 'data.size=32', 'data.channels=3', 'run.name=rgb'), { cwd: work });
    assert.equal(run.status, 0, run.stderr);
    return { work, stdout: run.stdout };
  })();
  return colourRun;
}

test('colour run: trains with an RGB grid, samples an (n, 32, 32, 3) npy, evaluates', async () => {
  const { work, stdout } = await trainedColourRun();
  assert.match(stdout, /converted 16 images of .*train to 32×32 RGB/);
  const grid = readFileSync(join(work, 'checkpoints', 'rgb', 'samples', 'epoch-0001.png'));
  assert.equal(grid[25], 2, 'the grid is an RGB PNG (colour type 2)');
  const png = PNG.sync.read(grid);
  assert.deepEqual([png.width, png.height], [2 * 32 + 3 * GRID_PADDING, 2 * 32 + 3 * GRID_PADDING]);

  const npy = join(work, 'rgb.npy');
  const sample = runGan(['sample', '--ckpt', 'rgb', '--n', '5', '--format', 'npy', '--out', npy], { cwd: work });
  assert.equal(sample.status, 0, sample.stderr);
  assert.equal(npyShape(readFileSync(npy)), '5, 32, 32, 3');

  const evalJson = join(work, 'eval.json');
  const evaluated = runGan(['eval', '--ckpt', 'rgb', '--n', '50', '--classifier-epochs', '1', '--json', evalJson], {
    cwd: work,
  });
  assert.equal(evaluated.status, 0, evaluated.stderr);
  const result = JSON.parse(readFileSync(evalJson, 'utf8')) as { fid: number };
  assert.ok(Number.isFinite(result.fid) && result.fid > 0, `FID ${result.fid}`);
});

test('colour run: the exported generator draws in colour in a browser', async (t) => {
  const { work } = await trainedColourRun();
  const exported = runGan(['export', '--ckpt', 'rgb', '--out', 'web/'], { cwd: work });
  assert.equal(exported.status, 0, exported.stderr);
  assert.match(exported.stdout, /\(z 32, 32×32\)/);
  const missing = chromiumMissing();
  if (missing) {
    t.skip(`no browser: ${missing}`);
    return;
  }
  const server = await serveFolder(join(work, 'web'));
  try {
    await withBrowser(async (browser) => {
      const { page, problems } = await checkedPage(browser, DESKTOP);
      await page.goto(server.url);
      await page.waitForFunction(() => document.body.dataset.draws === '1', { timeout: 30_000 });
      const drawn = await page.evaluate(() => {
        const c = document.getElementById('grid') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let coloured = 0;
        for (let p = 0; p < d.length; p += 4) if (d[p] !== d[p + 1] || d[p] !== d[p + 2]) coloured++;
        return { width: c.width, coloured };
      });
      assert.equal(drawn.width, 8 * 32 + 9 * 2);
      assert.ok(drawn.coloured > 100, `${drawn.coloured} pixels whose channels differ`);
      assert.deepEqual(problems, []);
    });
  } finally {
    await server.close();
  }
});

test('the published datasets are 28×28 greyscale: asking them for colour is a one-line error', () => {
  const bad = runGan(['train', '--config', join(ROOT, 'configs', 'smoke.yaml'), '--set', 'data.channels=3'], {
    cwd: tempDir('gan-colour-bad-'),
  });
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(
    bad.stderr,
    /^gan: .*data\.channels: only data\.source folder converts images; bundled images have channels 1/,
  );
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});
