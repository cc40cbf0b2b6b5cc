// The run report: the chart module's arithmetic and the rules that keep its charts honest,
// reading a run as training leaves it, the self-contained HTML (checked structurally, and
// rendered in headless Chromium at desktop and phone widths when present), `gan report --gif` on
// a real smoke run, and the GIF's pixels against the grids.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { encodeGrid } from '../../src/image.ts';
import { leftMargin, lineChart, niceTicks, yRange, type ChartSpec } from '../../src/report/chart.ts';
import { reloadUntil, renderReport } from '../../src/report/html.ts';
import { pngSize, thumbSize } from '../../src/report/samples-html.ts';
import { parseBestPointer, readMetrics, readRun } from '../../src/report/run-data.ts';
import { writeReport } from '../../src/report/write.ts';
import { checkedPage, chromiumMissing, DESKTOP, PHONE, withBrowser } from '../helpers/browser.ts';
import { decodeGif } from '../helpers/gif.ts';
import { tagProblems } from '../helpers/html-check.ts';
import { runGan } from '../helpers.ts';
import { trainSmokeRun } from '../helpers/smoke-run.ts';
import { tempDir } from '../helpers/temp-dir.ts';

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
    assert.match(chart, /rotate\(-90\)" text-anchor="middle" dominant-baseline="middle">loss<\/text>/);
    for (const tick of ['1', '2', '3', '4']) assert.match(chart, new RegExp(`text-anchor="middle">${tick}</text>`));
    assert.match(chart, /<line class="marker"/);
    assert.ok(chart.includes('Losses &lt;&amp;&gt;') && !chart.includes('<&>'));
    assert.deepEqual(tagProblems(chart), []);
  });
});

/** What a chart SVG says about its geometry: the plot box and each series' vertex coordinates. */
function plotOf(svg: string) {
  const axis = /<line class="axis" x1="([\d.]+)" x2="[\d.]+" y1="([\d.]+)" y2="([\d.]+)"\/>/g;
  const [, left, top, bottom] = [...svg.matchAll(axis)].find((m) => m[2] !== m[3])!.map(Number);
  const vertices = (series: string) =>
    new RegExp(`data-series="${series}" d="([^"]+)"`)
      .exec(svg)![1]!
      .split(/[ML]/)
      .filter(Boolean)
      .map((p) => p.split(',').map(Number) as [number, number]);
  const texts = (cls: string) =>
    [...svg.matchAll(new RegExp(`<text class="${cls}[^"]*" ([^>]*)>([^<]*)</text>`, 'g'))].map((m) => ({
      x: Number(/\bx="([-\d.]+)"/.exec(m[1]!)?.[1]),
      y: Number(/\by="([-\d.]+)"/.exec(m[1]!)?.[1]),
      text: m[2]!,
    }));
  return { left: left!, top: top!, bottom: bottom!, vertices, texts };
}

const oneSeries = (name: string, ys: number[], extra: Partial<ChartSpec> = {}): string =>
  lineChart({
    title: name,
    xLabel: 'epoch',
    yLabel: name,
    integerX: true,
    series: [{ name, color: '#00f', points: ys.map((y, i) => [i + 1, y] as const) }],
    ...extra,
  });

describe('chart honesty', () => {
  test('a series that varies by under 0.1% of its size is drawn flat, and its range is stated', () => {
    const flat = plotOf(oneSeries('score', [1.000009, 1.000013, 1.000017]));
    const ys = flat.vertices('score').map(([, y]) => y);
    const height = flat.bottom - flat.top;
    assert.ok(Math.max(...ys) - Math.min(...ys) < 0.02 * height, `rises ${Math.max(...ys) - Math.min(...ys)} px`);
    assert.deepEqual(
      flat.texts('note').map((t) => t.text),
      ['values 1.000009 to 1.000017'],
    );
    // A real trend still fills the plot, with no note.
    const trend = plotOf(oneSeries('loss', [1, 1.2, 1.5]));
    const rise = trend.vertices('loss').map(([, y]) => y);
    assert.ok(rise[0]! - rise[2]! > 0.7 * (trend.bottom - trend.top));
    assert.deepEqual(trend.texts('note'), []);
    assert.deepEqual(yRange([2, 2.5]), { lo: 2, hi: 2.5 });
    assert.deepEqual(yRange([5, 5]), { lo: 4.975, hi: 5.025, flat: undefined }, 'a constant is no range to state');
  });

  test('a fixed [0, 1] domain: precision and recall of 0 sit on the bottom of a 0..1 axis', () => {
    const chart = plotOf(oneSeries('precision', [0, 0, 0], { yDomain: [0, 1] }));
    assert.deepEqual(
      chart
        .texts('tick')
        .filter((t) => t.x < chart.left)
        .map((t) => t.text),
      ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0'],
    );
    assert.ok(chart.vertices('precision').every(([, y]) => y === chart.bottom));
    const accuracy = plotOf(oneSeries('accuracy', [0.9, 0.91], { yDomain: [0, 1] }));
    assert.equal(
      accuracy
        .texts('tick')
        .filter((t) => t.x < accuracy.left)
        .at(-1)!.text,
      '1.0',
    );
  });

  test('a floor is a dashed horizontal line at its value, labelled; none without one', () => {
    const svg = oneSeries('FID', [40, 20, 10], { reference: { y: 2, label: 'floor 2' } });
    const chart = plotOf(svg);
    const line = /<line class="reference" x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)" y2="([\d.]+)"\/>/.exec(svg);
    assert.ok(line, 'a reference line');
    // The axis reaches down to take it in: 0..40, so 2 lies a twentieth of the way up.
    const expected = chart.bottom - (2 / 40) * (chart.bottom - chart.top);
    assert.ok(Math.abs(Number(line[1]) - expected) < 0.01, `${line[1]} vs ${expected}`);
    assert.deepEqual(
      chart.texts('reference-label').map((t) => t.text),
      ['floor 2'],
    );
    assert.doesNotMatch(oneSeries('FID', [40, 20, 10]), /class="reference/);
  });

  test('the left margin grows with the longest tick label, so the y title never runs into it', () => {
    assert.ok(leftMargin(['1.000017']) > leftMargin(['40000']) && leftMargin(['40000']) > leftMargin(['4']));
    for (const ys of [
      [1, 2, 3],
      [10000, 50000],
      [1.00001, 1.00002, 1.5],
    ]) {
      const chart = plotOf(oneSeries('value', ys));
      const labels = chart.texts('tick').filter((t) => t.x < chart.left);
      const longest = Math.max(...labels.map((t) => t.text.length));
      // A 12-unit digit is at most ~7 units wide; the rotated y title is centred at x 15, ~12 units tall.
      const labelsStart = chart.left - 6 - longest * 7;
      assert.ok(labelsStart >= 15 + 6, `${ys}: tick labels from x ${labelsStart}, y title to x 21`);
    }
  });

  test('the best marker is labelled inside the plot, below the title, legend and top tick', () => {
    for (const x of [1, 3]) {
      const chart = plotOf(oneSeries('loss', [3, 2, 1], { marker: { x, label: `best (${x})` } }));
      const [label] = chart.texts('marker-label');
      assert.ok(label!.y - 12 >= chart.top, `label top ${label!.y - 12} is inside the plot (top ${chart.top})`);
      assert.ok(label!.x >= chart.left && label!.x <= 450, `x ${label!.x}`);
    }
    const svg = oneSeries('loss', [3, 2, 1], { marker: { x: 3, label: 'best (3)' } });
    assert.match(
      svg,
      /class="marker-label halo" x="[\d.]+" y="[\d.]+" text-anchor="end">best \(3\)/,
      'at the right edge',
    );
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
    ...(epoch % 2 === 0 ? { fid: 200 / epoch, fid_floor: 3, score: epoch } : {}),
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

  test('a floor line on the FID chart, from the fid_floor metrics.jsonl records', () => {
    assert.equal((html.match(/<line class="reference"/g) ?? []).length, 1);
    assert.match(html, /<text class="reference-label halo"[^>]*>floor 3<\/text>/);
  });

  test('embeds every epoch grid as a decodable PNG data: URI, as keyboard-reachable buttons, best marked', () => {
    const uris = [...html.matchAll(/<img src="data:image\/png;base64,([^"]+)" data-epoch="(\d+)"/g)];
    assert.deepEqual(
      uris.map((u) => Number(u[2])),
      [1, 2, 3, 4],
    );
    const decoded = uris.map((u) => PNG.sync.read(Buffer.from(u[1]!, 'base64')));
    assert.ok(decoded.every((p) => p.width === 2 * 28 + 3 * 2));
    assert.notDeepEqual(decoded[0]!.data, decoded[3]!.data);
    assert.match(html, /<button type="button" class="thumb best current" data-index="3" aria-current="true">/);
    assert.match(html, /<input id="grid-slider" type="range" min="0" max="3" value="3"/);
    assert.match(html, /best checkpoint<\/th><td>epoch 4 \(metric fid, value 50\)/);
    // 62 px grids: thumbnails at 1x, the view at 5x (fits a phone without script), both pixel-sharp.
    assert.match(html, /data-epoch="1" data-width="62" data-height="62" width="62" height="62" class="crisp"/);
    assert.match(html, /<img id="grid-view" src="[^"]+" data-width="62" data-height="62" width="310" height="310"/);
  });

  test('the finished run does not reload; its checkpoint time is a <time> the page localises', () => {
    assert.doesNotMatch(html, /data-reload-until|id="live"/);
    assert.match(html, /<th>last checkpoint<\/th><td><time class="local age" datetime="2026-01-01T00:00:00Z">/);
  });

  for (const size of [DESKTOP, PHONE]) {
    test(
      `renders in headless Chromium at ${size.width} px: fits, no errors, charts keep their shape, ` +
        'slider and keyboard scrub',
      { timeout: 60_000 },
      async (t) => {
        const missing = chromiumMissing();
        if (missing) return t.skip(missing);
        await withBrowser(async (browser) => {
          const { page, problems, overflows } = await checkedPage(browser, size);
          await page.goto(pathToFileURL(path).href);
          const shown = await page.evaluate(measureReport);
          assert.equal(shown.paths, 6);
          assert.ok(shown.firstPathLength > 50, `the first curve has length ${shown.firstPathLength}`);
          assert.deepEqual(shown.images, [62, 62, 62, 62, 62], 'the viewer and 4 thumbnails decoded');
          assert.equal(shown.charts.length, 4);
          for (const c of shown.charts) {
            const ratio = c.box.height / c.box.width / (c.viewBox.height / c.viewBox.width);
            assert.ok(Math.abs(ratio - 1) < 0.02, `${c.title}: drawn ${c.box.width}x${c.box.height}`);
            const smallest = Math.min(...c.tickFontPx) * (c.box.width / c.viewBox.width);
            assert.ok(smallest >= 9, `${c.title}: tick labels drawn at ${smallest} px`);
            assert.ok(!c.ticks.some((t) => overlap(t, c.yTitle)), `${c.title}: the y title runs into a tick label`);
            const crowded = [...c.ticks, ...c.titleAndLegend].some((b) => overlap(b, c.marker!));
            assert.ok(!crowded, `${c.title}: the best label lies on other text`);
          }
          // The view at a whole multiple of the grid's 62 px, sharp, inside the screen.
          assert.equal(shown.viewer.width % 62, 0, `the view is ${shown.viewer.width} px wide`);
          assert.ok(shown.viewer.width <= size.width - 24 && shown.viewer.rendering === 'pixelated');
          assert.match(shown.checkpointTime, /\((just now|\d+ (min|h|days) ago)\)$/, 'local time and age');
          assert.equal(await overflows(), false, 'nothing wider than the screen');

          await page.evaluate(() => {
            const slider = document.getElementById('grid-slider') as HTMLInputElement;
            slider.value = '0';
            slider.dispatchEvent(new Event('input'));
          });
          const scrubbed = await page.evaluate(viewerState);
          assert.deepEqual(scrubbed, {
            label: 'epoch 1',
            sameAsThumb: 0,
            current: ['true', 'false', 'false', 'false'],
          });
          // From the slider, Tab reaches the first thumbnail; Enter on the third shows it.
          await page.focus('#grid-slider');
          await page.keyboard.press('Tab');
          assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-index')), '0');
          await page.keyboard.press('Tab');
          await page.keyboard.press('Tab');
          await page.keyboard.press('Enter');
          assert.deepEqual(await page.evaluate(viewerState), {
            label: 'epoch 3',
            sameAsThumb: 2,
            current: ['false', 'false', 'true', 'false'],
          });

          if (size === DESKTOP) {
            const shot = PNG.sync.read(Buffer.from(await page.screenshot({ fullPage: true })));
            assert.ok(shot.width === 1280 && shot.height > 900, `screenshot ${shot.width}x${shot.height}`);
            writeFileSync(process.env.GAN_REPORT_SCREENSHOT ?? join(root, 'report.png'), PNG.sync.write(shot));
          }
          assert.deepEqual(problems, []);
        });
      },
    );
  }
});

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const overlap = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/**
 * Runs in the page (puppeteer sends its source, so no named helpers inside): the report once laid
 * out, with each chart's drawn size, its viewBox, its text sizes and the boxes of its labels.
 */
function measureReport() {
  const charts = [...document.querySelectorAll<SVGSVGElement>('svg.chart')].map((svg) => ({
    title: svg.querySelector('title')!.textContent!,
    box: svg.getBoundingClientRect(),
    viewBox: { width: svg.viewBox.baseVal.width, height: svg.viewBox.baseVal.height },
    tickFontPx: [...svg.querySelectorAll('text.tick')].map((t) => parseFloat(getComputedStyle(t).fontSize)),
    ticks: [...svg.querySelectorAll('text.tick')].map((t) => t.getBoundingClientRect()),
    yTitle: svg.querySelector('.axis-label[transform]')!.getBoundingClientRect(),
    marker: svg.querySelector('.marker-label')?.getBoundingClientRect(),
    titleAndLegend: [...svg.querySelectorAll('.chart-title, .legend')].map((t) => t.getBoundingClientRect()),
  }));
  const paths = [...document.querySelectorAll<SVGPathElement>('svg.chart path.series')];
  const view = document.getElementById('grid-view') as HTMLImageElement;
  // DOMRects cross to Node through their toJSON.
  return JSON.parse(
    JSON.stringify({
      paths: paths.length,
      firstPathLength: paths[0]!.getTotalLength(),
      images: [...document.images].map((i) => (i.complete ? i.naturalWidth : -1)),
      charts,
      viewer: { width: view.getBoundingClientRect().width, rendering: getComputedStyle(view).imageRendering },
      checkpointTime: document.querySelector('time.age')!.textContent!,
    }),
  ) as {
    paths: number;
    firstPathLength: number;
    images: number[];
    charts: {
      title: string;
      box: Box & { width: number; height: number };
      viewBox: { width: number; height: number };
      tickFontPx: number[];
      ticks: Box[];
      yTitle: Box;
      marker?: Box;
      titleAndLegend: Box[];
    }[];
    viewer: { width: number; rendering: string };
    checkpointTime: string;
  };
}

/** Runs in the page: the grid view's label, which thumbnail it shows, and the thumbnails' aria-current. */
function viewerState() {
  const view = document.getElementById('grid-view') as HTMLImageElement;
  const thumbs = [...document.querySelectorAll('#grid-strip .thumb')];
  return {
    label: document.getElementById('grid-label')!.textContent,
    sameAsThumb: thumbs.findIndex((t) => t.querySelector('img')!.src === view.src),
    current: thumbs.map((t) => t.getAttribute('aria-current')),
  };
}

describe('report page rules', () => {
  test('a grid shown small is a whole fraction of its pixels, smoothed; shown big, a whole multiple, sharp', () => {
    assert.deepEqual(thumbSize({ width: 302, height: 302 }), { width: 76, height: 76, crisp: false });
    assert.deepEqual(thumbSize({ width: 62, height: 62 }), { width: 62, height: 62, crisp: true });
    assert.deepEqual(thumbSize({ width: 30, height: 16 }), { width: 60, height: 32, crisp: true });
    const grid = encodeGrid({ pixels: new Float32Array(6 * 4 * 5), count: 6, height: 4, width: 5, channels: 1 });
    assert.deepEqual(pngSize(`data:image/png;base64,${grid.toString('base64')}`), { width: 23, height: 14 });
    assert.equal(pngSize('data:image/gif;base64,R0lGODlhAQABAAAAACw='), undefined);
  });

  test('an open report reloads only while the run trains: epochs to go, a checkpoint under an hour old', () => {
    const run = readRun(fakeRun());
    const savedAt = '2026-01-01T00:00:00.000Z';
    const at = (minutes: number) => new Date(Date.parse(savedAt) + minutes * 60_000);
    const training = { ...run, state: { ...run.state!, epoch: 2, iteration: 0, savedAt } };
    assert.equal(reloadUntil(training, at(5))?.toISOString(), '2026-01-01T01:00:00.000Z');
    assert.equal(reloadUntil(training, at(61)), undefined, 'no checkpoint for an hour: stopped');
    assert.equal(reloadUntil({ ...training, state: { ...training.state, epoch: 4 } }, at(5)), undefined, 'ended');
    assert.equal(reloadUntil({ ...training, state: { ...training.state, iteration: 7 } }, at(5)), undefined);
    const page = renderReport(training, [], at(5));
    assert.match(page, /<body data-reload-until="2026-01-01T01:00:00.000Z">/);
    assert.match(page, /<p id="live">The run is training: this page reloads every 30 s/);
  });
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
