// `gan export`: the browser folder loads with tf.loadLayersModel and reproduces the CLI's
// images for the same noise; with Chromium present, index.html draws samples when served.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer-core';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadModel } from '../../src/checkpoint/model-io.ts';
import { WeightNormDense } from '../../src/ssgan/weight-norm.ts';
import { selectEngine } from '../../src/engine/select.ts';
import { deriveSeed, Stream } from '../../src/random.ts';
import { generateImages, latentNoise } from '../../src/sampling.ts';
import { checkedPage, chromiumMissing, DESKTOP, PHONE, withBrowser, type CheckedPage } from '../helpers/browser.ts';
import { GAN_BIN, runGan } from '../helpers.ts';
import { serveFolder } from '../../src/export/serve.ts';
import { trainSmokeRun } from '../helpers/smoke-run.ts';
import { TINY_SSGAN, tinyWorkspace } from '../helpers/tiny-run.ts';

/** What the page shows: its canvas's size, a checksum and gray levels, the status and the row labels. */
const shown = (page: Page) =>
  page.evaluate(() => {
    const c = document.getElementById('grid') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    const levels = new Set<number>();
    for (let p = 0; p < d.length; p += 4) {
      sum += d[p]!;
      levels.add(d[p]!);
    }
    const rows = [...document.querySelectorAll('#rows span')].map((e) => e.textContent);
    const cssWidth = c.getBoundingClientRect().width;
    return {
      width: c.width,
      height: c.height,
      cssWidth,
      sum,
      levels: levels.size,
      rows,
      status: document.getElementById('status')!.textContent!,
    };
  });

/** Serves `web`, opens its page at `size` in Chromium, waits for the first draw, then runs `check`. */
async function onDrawnPage(
  web: string,
  size: { width: number; height: number },
  check: (checked: CheckedPage) => Promise<void>,
): Promise<void> {
  const server = await serveFolder(web);
  try {
    await withBrowser(async (browser) => {
      const checked = await checkedPage(browser, size);
      await checked.page.goto(server.url);
      await checked.page.waitForFunction(() => document.body.dataset.draws === '1', { timeout: 30_000 });
      await check(checked);
    });
  } finally {
    await server.close();
  }
}

describe('gan export', () => {
  const work = trainSmokeRun();
  const web = join(work, 'web');
  const r = runGan(['export', '--ckpt', 'latest', '--out', 'web/'], { cwd: work });

  test('writes model.json + weights, generator.json, the tfjs bundle and index.html', () => {
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /exported the (ema|raw) generator of checkpoints\/smoke\/epoch-0002 \(z 32, 28×28\) to web\//,
    );
    const info = JSON.parse(readFileSync(join(web, 'generator.json'), 'utf8'));
    assert.deepEqual(
      {
        latentDim: info.latentDim,
        conditional: info.conditional,
        classes: info.classes,
        valueRange: info.valueRange,
        imageShape: info.imageShape,
        tfjsVersion: info.tfjsVersion,
      },
      {
        latentDim: 32,
        conditional: false,
        classes: 0,
        valueRange: [-1, 1],
        imageShape: { height: 28, width: 28, channels: 1 },
        tfjsVersion: tf.version.tfjs,
      },
    );
    assert.ok(statSync(join(web, 'tf.min.js')).size > 500_000, 'the full tfjs browser bundle');
    const page = readFileSync(join(web, 'index.html'), 'utf8');
    assert.match(page, /<script src="tf.min.js"><\/script>/);
    assert.doesNotMatch(page, /(src|href)="(https?:)?\/\//, 'no CDN');
  });

  test('the exported model loads with tf.loadLayersModel and reproduces `gan sample` for the same noise', async () => {
    const npy = join(work, 'cli.npy');
    const s = runGan(['sample', '--n', '8', '--seed', '5', '--format', 'npy', '--out', npy], { cwd: work });
    assert.equal(s.status, 0, s.stderr);
    await selectEngine(/^engine: (\w+)/.exec(s.stdout)![1] as 'wasm');
    const model = await loadModel(web);
    const noise = latentNoise(8, 32, deriveSeed(5, Stream.sample));
    const ours = await generateImages(model, noise);
    const bytes = readFileSync(npy);
    const cli = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 10 + bytes.readUInt16LE(8)));
    assert.equal(cli.length, ours.pixels.length);
    let maxDiff = 0;
    for (let i = 0; i < cli.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cli[i]! - (ours.pixels[i]! + 1) / 2));
    assert.ok(maxDiff < 1e-6, `max difference ${maxDiff}`);
    tf.dispose(noise);
    model.dispose();
  });

  for (const size of [DESKTOP, PHONE]) {
    test(
      `index.html at ${size.width} px, served by gan's server: draws, redraws on click, fits the screen, no errors`,
      { timeout: 60_000 },
      async (t) => {
        const missing = chromiumMissing();
        if (missing) return t.skip(missing);
        await onDrawnPage(web, size, async ({ page, problems, overflows }) => {
          const first = await shown(page);
          assert.equal(first.width, 8 * 28 + 9 * 2);
          assert.ok(
            first.levels > 2,
            `the canvas holds an image (${first.levels} gray levels); status: ${first.status}`,
          );
          assert.match(first.status, /^64 samples from smoke\/epoch-0002 in \d+ ms · tfjs 4\.22\.0 on \w+$/);
          // Shown at a whole multiple of its pixels, the largest that fits.
          assert.equal(first.cssWidth % first.width, 0, `css width ${first.cssWidth}`);
          assert.equal(first.cssWidth / first.width, size.width < 600 ? 1 : 2);
          assert.deepEqual(first.rows, []);
          await page.click('#again');
          await page.waitForFunction(() => document.body.dataset.draws === '2');
          assert.notEqual((await shown(page)).sum, first.sum, 'new samples were drawn');
          assert.equal(await overflows(), false, 'nothing wider than the screen');
          assert.deepEqual(problems, []);
        });
      },
    );
  }

  test('index.html opened from disk (file://) says to serve the folder, with the command', async (t) => {
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    await withBrowser(async (browser) => {
      const { page } = await checkedPage(browser, PHONE);
      await page.goto(pathToFileURL(join(web, 'index.html')).href);
      const text = await page.evaluate(() => document.getElementById('fromDisk')!.innerText);
      assert.match(text, /browsers refuse/);
      assert.ok(text.includes(`gan serve ${web}`), text);
      assert.equal(await page.evaluate(() => document.getElementById('status')!.hidden), true);
    });
  });

  test('gan serve: the folder on 127.0.0.1 until SIGINT; nothing outside it; a missing export is exit 2', async () => {
    const bad = runGan(['serve', work]);
    assert.equal(bad.status, 2);
    assert.match(
      bad.stderr,
      /^gan: .*: no index\.html and model\.json; expected a folder written by gan export --out\n$/,
    );
    const child = spawn(process.execPath, [GAN_BIN, 'serve', web, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', () => reject(new Error(`gan serve exited: ${out}`)));
      });
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(await page.text(), readFileSync(join(web, 'index.html'), 'utf8'));
      const info = await (await fetch(`${url}generator.json`)).json();
      assert.equal(info.latentDim, 32);
      for (const outside of ['..%2Fcheckpoints%2Fsmoke%2Flatest.json', '%2e%2e/tiny.yaml', 'nothing.js'])
        assert.equal((await fetch(url + outside)).status, 404, outside);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      assert.equal(await exited, 0, 'Ctrl-C is a clean stop');
    }
  });
});

describe('gan export of a conditional generator', () => {
  const work = trainSmokeRun(['--set', 'model.conditional=true']);
  const web = join(work, 'web');
  const r = runGan(['export', '--ckpt', 'latest', '--out', 'web/'], { cwd: work });

  test('a class picker: "all" is one class per row, labelled; a digit fills the grid with it', async (t) => {
    assert.equal(r.status, 0, r.stderr);
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    await onDrawnPage(web, PHONE, async ({ page, problems, overflows }) => {
      const state = () =>
        page.evaluate(() => ({
          options: [...(document.getElementById('digit') as HTMLSelectElement).options].map((o) => o.value),
          rows: [...document.querySelectorAll('#rows span')].map((e) => e.textContent),
          classes: (document.getElementById('grid') as HTMLCanvasElement).dataset.classes,
          height: (document.getElementById('grid') as HTMLCanvasElement).height,
          status: document.getElementById('status')!.textContent!,
        }));
      const all = await state();
      assert.deepEqual(all.options, ['all', ...'0123456789']);
      assert.deepEqual(all.classes, '0,1,2,3,4,5,6,7,8,9');
      assert.equal(all.rows.length, 10);
      assert.equal(all.height, 10 * 28 + 11 * 2);
      assert.match(all.status, /^80 samples from smoke\/epoch-0002, one class per row in \d+ ms/);
      await page.select('#digit', '3');
      await page.waitForFunction(() => document.body.dataset.draws === '2');
      const three = await state();
      assert.equal(three.classes, '3,3,3,3,3,3,3,3');
      assert.deepEqual(new Set(three.rows), new Set([all.rows[3]]));
      assert.match(three.status, /^64 samples from smoke\/epoch-0002, all \S+ in \d+ ms/);
      assert.equal(await overflows(), false);
      assert.deepEqual(problems, []);
    });
  });
});

describe('gan export of a semi-supervised generator (weight-normalised output layer)', () => {
  const work = tinyWorkspace(TINY_SSGAN.replace('epochs: 2', 'epochs: 1'));
  const trained = runGan(['train', '--config', 'tiny.yaml'], { cwd: work });
  const r = runGan(['export', '--ckpt', 'latest', '--out', 'web/'], { cwd: work });
  const web = join(work, 'web');

  test('the layer is exported as a plain dense one: no custom class, the same images', async () => {
    assert.equal(trained.status, 0, trained.stderr);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(readFileSync(join(web, 'model.json'), 'utf8'), /WeightNormDense/);
    await selectEngine('cpu');
    const [original, exported] = await Promise.all([
      loadModel(join(work, 'checkpoints', 'tiny', 'epoch-0001', 'generator-ema')),
      loadModel(web),
    ]);
    assert.ok(
      original.layers.some((layer) => layer instanceof WeightNormDense),
      'the checkpoint has the custom layer',
    );
    const z = tf.randomNormal([6, 100], 0, 1, 'float32', 3);
    const diff = tf.tidy(
      () => tf.max(tf.abs(tf.sub(original.predict(z) as tf.Tensor, exported.predict(z) as tf.Tensor))).dataSync()[0]!,
    );
    assert.ok(diff < 1e-5, `largest difference ${diff}`);
    z.dispose();
    original.dispose();
    exported.dispose();
  });

  test('and its page draws in Chromium', { timeout: 60_000 }, async (t) => {
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    await onDrawnPage(web, DESKTOP, async ({ page, problems }) => {
      assert.match((await shown(page)).status, /^64 samples from tiny\/epoch-0001 in \d+ ms/);
      assert.deepEqual(problems, []);
    });
  });
});
