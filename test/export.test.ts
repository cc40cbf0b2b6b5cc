// `gan export`: the browser folder loads with tf.loadLayersModel and reproduces the CLI's
// images for the same noise; with Chromium present, index.html draws samples when served.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadModel } from '../src/checkpoint/model-io.ts';
import { selectEngine } from '../src/engine/select.ts';
import { deriveSeed, Stream } from '../src/random.ts';
import { generateImages, latentNoise } from '../src/sampling.ts';
import { chromiumMissing, withPage } from './helpers/chromium.ts';
import { runGan } from './helpers.ts';
import { serve } from './helpers/static-server.ts';
import { trainSmokeRun } from './helpers/smoke-run.ts';

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

  test(
    'index.html, served over HTTP, draws a grid in headless Chromium and redraws on click',
    { timeout: 60_000 },
    async (t) => {
      const missing = chromiumMissing();
      if (missing) return t.skip(missing);
      const server = await serve(web);
      try {
        await withPage(async (page) => {
          await page.goto(`${server.url}index.html`);
          await page.waitFor(`document.body.dataset.draws === '1'`);
          const canvas = `(() => {
            const c = document.getElementById('grid');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let sum = 0; const levels = new Set();
            for (let p = 0; p < d.length; p += 4) { sum += d[p]; levels.add(d[p]); }
            const status = document.getElementById('status').textContent;
            return { width: c.width, height: c.height, sum, levels: levels.size, status };
          })()`;
          const first = await page.evaluate<{
            width: number;
            height: number;
            sum: number;
            levels: number;
            status: string;
          }>(canvas);
          assert.equal(first.width, 8 * 28 + 9 * 2);
          assert.ok(
            first.levels > 2,
            `the canvas holds an image (${first.levels} gray levels); status: ${first.status}`,
          );
          assert.match(first.status, /^64 samples from smoke\/epoch-0002 on tfjs 4\.22\.0/);
          await page.evaluate(`document.getElementById('again').click()`);
          await page.waitFor(`document.body.dataset.draws === '2'`);
          const second = await page.evaluate<{ sum: number }>(canvas);
          assert.notEqual(second.sum, first.sum, 'new samples were drawn');
          assert.deepEqual(page.problems.errors, []);
        });
      } finally {
        await server.close();
      }
    },
  );
});
