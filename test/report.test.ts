// The run report: the chart module's arithmetic, reading a run as training leaves it, the
// self-contained HTML (checked structurally, and rendered in headless Chromium when present),
// `gan report --gif` on a real smoke run, and the GIF's pixels against the grids.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { encodeGrid } from '../src/image.ts';
import { lineChart, niceTicks } from '../src/report/chart.ts';
import { parseBestPointer, readMetrics } from '../src/report/run-data.ts';
import { writeReport } from '../src/report/write.ts';
import { chromiumMissing, withPage } from './helpers/chromium.ts';
import { decodeGif } from './helpers/gif.ts';
import { tagProblems } from './helpers/html-check.ts';
import { runGan } from './helpers.ts';
import { trainSmokeRun } from './helpers/smoke-run.ts';
import { tempDir } from './helpers/temp-dir.ts';

describe('niceTicks', () => {
  test('steps of 1, 2 or 5 x 10^k covering the range', () => {
    assert.deepEqual(niceTicks(0, 1).values, [0, 0.2, 0.4, 0.6, 0.8, 1]);
    const t = niceTicks(0.63, 1.48);
    assert.equal(t.step, 0.2);
    assert.deepEqual(t.values, [0.6, 0.8, 1, 1.2, 1.4, 1.6]);
    assert.deepEqual(niceTicks(-37, 112).values, [-40, -20, 0, 20, 40, 60, 80, 100, 120]);
    assert.deepEqual(niceTicks(0, 370).values, [0, 100, 200, 300, 400]);
  });
  test('integer axes never get fractional steps; a single point still gets a range', () => {
    assert.deepEqual(niceTicks(1, 3, 6, true).values, [1, 2, 3]);
    const one = niceTicks(5, 5);
    assert.ok(one.min < 5 && one.max > 5, `${one.min}..${one.max}`);
    assert.deepEqual(niceTicks(0, 0).values, [-1, -0.5, 0, 0.5, 1]);
  });
});

describe('lineChart', () => {
  const chart = lineChart({
    title: 'Losses <&>',
    xLabel: 'epoch',
    yLabel: 'loss',
    integerX: true,
    marker: { x: 2, label: 'best' },
    series: [
      {
        name: 'D loss',
        color: '#00f',
        points: [
          [1, 1],
          [2, NaN],
          [3, 0.5],
          [4, 0.25],
        ],
      },
      {
        name: 'G loss',
        color: '#f00',
        points: [
          [1, 2],
          [2, 1],
          [3, 3],
          [4, 2],
        ],
      },
    ],
    width: 400,
    height: 200,
  });
  test('one path per series, with a new sub-path after a non-finite value', () => {
    const paths = [...chart.matchAll(/<path class="series" data-series="([^"]+)" d="([^"]+)"/g)];
    assert.deepEqual(
      paths.map((p) => p[1]),
      ['D loss', 'G loss'],
    );
    assert.match(paths[0]![2]!, /^M[\d.]+,[\d.]+M[\d.]+,[\d.]+L[\d.]+,[\d.]+$/, 'gap at epoch 2');
    assert.equal(paths[1]![2]!.split('L').length, 4);
  });
  test('points map into the plot area: higher values are higher up (smaller y)', () => {
    const d = /data-series="G loss" d="([^"]+)"/.exec(chart)![1]!;
    const ys = d
      .split(/[ML]/)
      .filter(Boolean)
      .map((p) => Number(p.split(',')[1]));
    assert.ok(ys[2]! < ys[0]! && ys[0]! < ys[1]!, `y of 3 < y of 2 < y of 1: ${ys}`);
    const xs = d
      .split(/[ML]/)
      .filter(Boolean)
      .map((p) => Number(p.split(',')[0]));
    assert.ok(xs.every((x, i) => i === 0 || x > xs[i - 1]!) && xs[0]! >= 0 && xs.at(-1)! <= 400);
  });
  test('axes, tick labels, axis labels, marker and escaped title', () => {
    assert.match(chart, /<text class="axis-label"[^>]*>epoch<\/text>/);
    assert.match(chart, /rotate\(-90\)" text-anchor="middle">loss<\/text>/);
    for (const tick of ['1', '2', '3', '4']) assert.match(chart, new RegExp(`text-anchor="middle">${tick}</text>`));
    assert.match(chart, /<line class="marker"/);
    assert.ok(chart.includes('Losses &lt;&amp;&gt;') && !chart.includes('<&>'));
    assert.deepEqual(tagProblems(chart), []);
  });
});

describe('reading a run', () => {
  test('metrics.jsonl: later lines win for a repeated epoch; a half-written line is skipped', () => {
    const dir = tempDir('gan-metrics-');
    const path = join(dir, 'metrics.jsonl');
    writeFileSync(path, '{"epoch":1,"d_loss":1}\n{"epoch":2,"d_loss":2}\n{"epoch":2,"d_loss":3}\n{"epoch":3,"d_lo');
    const { records, skipped } = readMetrics(path);
    assert.deepEqual(
      records.map((r) => [r.epoch, r.d_loss]),
      [
        [1, 1],
        [2, 3],
      ],
    );
    assert.equal(skipped, 1);
  });
  test('best.json names its epoch by number or by directory', () => {
    assert.equal(parseBestPointer({ epoch: 4, metric: 'fid', value: 12.5 })?.epoch, 4);
    assert.deepEqual(parseBestPointer({ dir: 'epoch-0007', fid: 9 }), { epoch: 7, details: { fid: 9 } });
    assert.equal(parseBestPointer({ nothing: true }), undefined);
  });
});

/** A run directory as training and evaluation leave it: 4 epochs, eval on 2 and 4, best = 4. */
function fakeRun(): string {
  const root = join(tempDir('gan-report-'), 'demo');
  mkdirSync(join(root, 'samples'), { recursive: true });
  mkdirSync(join(root, 'epoch-0004'));
  const lines = [1, 2, 3, 4].map((epoch) => ({
    epoch,
    step: epoch * 10,
    d_loss: 1.4 - epoch * 0.1,
    g_loss: 0.7 + epoch * 0.2,
    d_real: 0.5 + epoch * 0.05,
    d_fake: 0.5 - epoch * 0.05,
    seconds: 1,
    img_per_s: 100 + epoch,
    time: '2026-01-01T00:00:00Z',
    ...(epoch % 2 === 0 ? { fid: 200 / epoch, score: epoch } : {}),
  }));
  writeFileSync(join(root, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  writeFileSync(join(root, 'config.yaml'), 'run:\n  name: "demo <b>"\ntrain:\n  epochs: 4\n');
  writeFileSync(
    join(root, 'epoch-0004', 'state.json'),
    JSON.stringify({
      epoch: 4,
      step: 40,
      dStep: 40,
      seed: 1,
      engine: 'wasm',
      config: { train: { epochs: 4 }, model: { arch: 'dcgan' } },
      imageShape: { height: 28, width: 28, channels: 1 },
      savedAt: '2026-01-01T00:00:00Z',
    }),
  );
  writeFileSync(
    join(root, 'latest.json'),
    JSON.stringify({ epoch: 4, dir: 'epoch-0004', updatedAt: '2026-01-01T00:00:00Z' }),
  );
  writeFileSync(join(root, 'best.json'), JSON.stringify({ epoch: 4, dir: 'epoch-0004', metric: 'fid', value: 50 }));
  for (const epoch of [1, 2, 3, 4]) {
    // 4 images whose brightness grows with the epoch: each grid is different.
    const pixels = new Float32Array(4 * 28 * 28).map((_, i) => ((i % 28) / 27) * (epoch / 2) - 1);
    writeFileSync(
      join(root, 'samples', `epoch-000${epoch}.png`),
      encodeGrid({ pixels, count: 4, height: 28, width: 28, channels: 1 }),
    );
  }
  return root;
}

describe('writeReport', () => {
  const root = fakeRun();
  const path = writeReport(root);
  const html = readFileSync(path, 'utf8');

  test('is written atomically as report.html, with no temporary file left behind', () => {
    assert.equal(path, join(root, 'report.html'));
    assert.deepEqual(
      readdirSync(root).filter((f) => f.includes('tmp')),
      [],
    );
  });

  test('is well-formed and self-contained: no external scripts, styles or images', () => {
    assert.deepEqual(tagProblems(html), []);
    assert.doesNotMatch(html, /<(script|link|img)\b[^>]*(src|href)="(https?:)?\/\//i);
    assert.ok(!html.includes('<b>') && html.includes('demo &lt;b&gt;'), 'config text is escaped');
  });

  test('draws the loss, D-output, FID and score curves, each with its points', () => {
    const titles = [...html.matchAll(/<title>([^<]+)<\/title>/g)].map((m) => m[1]);
    assert.deepEqual(titles.slice(1), [
      'Losses',
      'Discriminator outputs',
      'FID (lower is better)',
      'Classifier score (higher is better)',
    ]);
    const vertices = (series: string) =>
      /data-series="([^"]+)" d="([^"]+)"/g
        .exec(html.slice(html.indexOf(`data-series="${series}"`) - 30))![2]!
        .split(/[ML]/)
        .filter(Boolean).length;
    assert.equal(vertices('D loss'), 4);
    assert.equal(vertices('D(G(z))'), 4);
    assert.equal(vertices('FID'), 2, 'FID only on evaluated epochs');
    assert.equal((html.match(/<line class="marker"/g) ?? []).length, 4, 'best epoch marked on every chart');
  });

  test('embeds every epoch grid as a decodable PNG data: URI and marks the best one', () => {
    const uris = [...html.matchAll(/<img src="data:image\/png;base64,([^"]+)" data-epoch="(\d+)"/g)];
    assert.deepEqual(
      uris.map((u) => Number(u[2])),
      [1, 2, 3, 4],
    );
    const decoded = uris.map((u) => PNG.sync.read(Buffer.from(u[1]!, 'base64')));
    assert.ok(decoded.every((p) => p.width === 2 * 28 + 3 * 2));
    assert.notDeepEqual(decoded[0]!.data, decoded[3]!.data);
    assert.match(html, /<figure class="thumb best current" data-index="3">/);
    assert.match(html, /<input id="grid-slider" type="range" min="0" max="3" value="3"/);
    assert.match(html, /best checkpoint<\/th><td>epoch 4 \(metric fid, value 50\)/);
  });

  test(
    'renders in headless Chromium: no errors, images loaded, curves drawn, slider scrubs',
    { timeout: 60_000 },
    async (t) => {
      const missing = chromiumMissing();
      if (missing) return t.skip(missing);
      await withPage(async (page) => {
        await page.goto(`file://${path}`);
        const state = await page.evaluate<{ paths: number; images: number[]; pathLength: number }>(`({
        paths: document.querySelectorAll('svg.chart path.series').length,
        images: Array.from(document.images).map((i) => (i.complete ? i.naturalWidth : -1)),
        pathLength: document.querySelector('path.series').getTotalLength(),
      })`);
        assert.equal(state.paths, 6);
        assert.deepEqual(state.images, [62, 62, 62, 62, 62], 'the viewer and 4 thumbnails decoded');
        assert.ok(state.pathLength > 50, `the first curve has length ${state.pathLength}`);
        const scrubbed = await page.evaluate<string>(`(() => {
        const s = document.getElementById('grid-slider');
        s.value = '0'; s.dispatchEvent(new Event('input'));
        const first = document.querySelector('#grid-strip img').src;
        const same = document.getElementById('grid-view').src === first;
        return document.getElementById('grid-label').textContent + '|' + same;
      })()`);
        assert.equal(scrubbed, 'epoch 1|true');
        const shot = PNG.sync.read(await page.screenshot());
        assert.ok(shot.width === 1280 && shot.height > 900, `screenshot ${shot.width}x${shot.height}`);
        const out = process.env.GAN_REPORT_SCREENSHOT ?? join(root, 'report.png');
        writeFileSync(out, PNG.sync.write(shot));
        assert.deepEqual(page.problems.errors, []);
      });
    },
  );
});

describe('gan report on a real run', () => {
  const work = trainSmokeRun();
  const run = join(work, 'checkpoints', 'smoke');

  test('gan report smoke --gif writes report.html and a looping progress.gif of the grids', () => {
    const r = runGan(['report', 'smoke', '--gif'], { cwd: work });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^wrote checkpoints\/smoke\/report\.html$/m);
    assert.match(r.stdout, /progress\.gif: 2 frame\(s\)/);
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    assert.equal((html.match(/data-epoch="\d+"/g) ?? []).length, 2);
    assert.match(html, /<tr><th>engine<\/th><td>(wasm|cpu|tensorflow)<\/td>/);

    const gif = decodeGif(readFileSync(join(run, 'progress.gif')));
    const grids = [1, 2].map((e) => PNG.sync.read(readFileSync(join(run, 'samples', `epoch-000${e}.png`))));
    assert.equal(gif.width, grids[0]!.width);
    assert.ok(gif.loops);
    assert.deepEqual(
      gif.frames.map((f) => f.delayMs),
      [400, 2000],
    );
    gif.frames.forEach((frame, i) => {
      const gray = Uint8Array.from({ length: frame.indices.length }, (_, p) => grids[i]!.data[p * 4]!);
      assert.deepEqual(frame.indices, gray, `frame ${i + 1} is the epoch grid, pixel for pixel`);
      assert.deepEqual(gif.palette[200], [200, 200, 200]);
    });
  });

  test('gan report latest works too; a run that does not exist is a one-line error (exit 2)', () => {
    assert.equal(runGan(['report'], { cwd: work }).status, 0);
    const r = runGan(['report', 'nope'], { cwd: work });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^gan: gan report nope: no such checkpoint/);
    assert.ok(existsSync(join(run, 'report.html')));
  });
});
