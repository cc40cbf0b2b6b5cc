// The report page as one self-contained HTML string: curves as inline SVG, sample grids as
// data: URIs, a few lines of inline script for the epoch slider. No external resource of any
// kind, so the file opens from disk, offline, and can be mailed or archived as it is.
import { lineChart, type Series } from './chart.js';
import { escapeHtml, htmlHead } from './page-parts.js';
import type { MetricRecord, RunData } from './run-data.js';

/** A sample grid ready to embed. */
export interface EmbeddedGrid {
  epoch: number;
  /** data:image/png;base64,... */
  src: string;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e'];

/** What each chart plots: metrics.jsonl keys with the names a reader knows them by. */
const CHARTS: { title: string; yLabel: string; keys: [key: string, label: string][] }[] = [
  {
    title: 'Losses',
    yLabel: 'loss',
    keys: [
      ['d_loss', 'D loss'],
      ['g_loss', 'G loss'],
    ],
  },
  {
    title: 'Discriminator outputs',
    yLabel: 'mean output',
    keys: [
      ['d_real', 'D(x)'],
      ['d_fake', 'D(G(z))'],
    ],
  },
  // Written by the evaluator only on evaluated epochs; the charts appear once one exists.
  { title: 'FID (lower is better)', yLabel: 'FID', keys: [['fid', 'FID']] },
  { title: 'Classifier score (higher is better)', yLabel: 'score', keys: [['score', 'score']] },
  { title: 'KID (lower is better)', yLabel: 'KID', keys: [['kid', 'KID']] },
  {
    title: 'Precision and recall',
    yLabel: 'share',
    keys: [
      ['precision', 'precision'],
      ['recall', 'recall'],
    ],
  },
  // Semi-supervised runs: the classifier's accuracy on held-out test images, for watching only.
  { title: 'Held-out accuracy', yLabel: 'accuracy', keys: [['test_accuracy', 'test accuracy']] },
];

function seriesOf(metrics: MetricRecord[], key: string, name: string, color: string): Series {
  const points = metrics
    .filter((m) => key in m)
    .map((m) => [m.epoch, typeof m[key] === 'number' ? (m[key] as number) : NaN] as const);
  return { name, points, color };
}

function chartsHtml(run: RunData): string {
  const charts: string[] = [];
  for (const chart of CHARTS) {
    const series = chart.keys
      .map(([key, label], i) => seriesOf(run.metrics, key, label, COLORS[i % COLORS.length]!))
      .filter((s) => s.points.length > 0);
    if (series.length === 0) continue;
    const marker = run.best ? { x: run.best.epoch, label: `best (${run.best.epoch})` } : undefined;
    charts.push(
      lineChart({ title: chart.title, xLabel: 'epoch', yLabel: chart.yLabel, series, marker, integerX: true }),
    );
  }
  return charts.length
    ? `<div class="charts">${charts.join('\n')}</div>`
    : '<p class="empty">No metrics yet: metrics.jsonl gets a line after every epoch.</p>';
}

function formatValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function summaryHtml(run: RunData): string {
  const state = run.state;
  const config = (state?.config ?? {}) as {
    train?: { epochs?: number };
    model?: { arch?: string; conditional?: boolean };
  };
  const last = run.metrics.at(-1);
  const rows: [string, string][] = [];
  if (state) {
    rows.push(['epochs', `${state.epoch}${config.train?.epochs ? ` of ${config.train.epochs}` : ''}`]);
    rows.push(['engine', state.engine]);
    if (config.model?.arch)
      rows.push(['model', `${config.model.arch}${config.model.conditional ? ' (class-conditional)' : ''}`]);
    rows.push(['generator steps', String(state.step)]);
    rows.push(['last checkpoint', state.savedAt]);
  }
  if (last && typeof last.img_per_s === 'number')
    rows.push(['speed (last epoch)', `${formatValue(last.img_per_s)} img/s`]);
  if (run.best) {
    const details = Object.entries(run.best.details)
      .map(([k, v]) => `${k} ${formatValue(v)}`)
      .join(', ');
    rows.push(['best checkpoint', `epoch ${run.best.epoch}${details ? ` (${details})` : ''}`]);
  }
  if (run.skippedLines > 0) rows.push(['note', `${run.skippedLines} unreadable metrics.jsonl line(s) left out`]);
  const cells = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return `<table class="summary">${cells}</table>`;
}

function samplesHtml(grids: EmbeddedGrid[], bestEpoch: number | undefined): string {
  if (grids.length === 0)
    return '<p class="empty">No sample grids yet (train.samples_every = 0, or no epoch has finished).</p>';
  const last = grids.at(-1)!;
  const strip = grids
    .map((g, i) => {
      const best = g.epoch === bestEpoch;
      return (
        `<figure class="thumb${best ? ' best' : ''}${i === grids.length - 1 ? ' current' : ''}" ` +
        `data-index="${i}"><img src="${g.src}" data-epoch="${g.epoch}" alt="epoch ` +
        `${g.epoch}"><figcaption>${g.epoch}${best ? ' ★ best' : ''}</figcaption></figure>`
      );
    })
    .join('');
  return `<div class="viewer">
<img id="grid-view" src="${last.src}" alt="fixed-noise samples, epoch ${last.epoch}">
<div class="scrub">
<input id="grid-slider" type="range" min="0" max="${grids.length - 1}" value="${grids.length - 1}"
 step="1" aria-label="epoch">
<span id="grid-label">epoch ${last.epoch}${last.epoch === bestEpoch ? ' ★ best' : ''}</span></div>
</div>
<div class="strip" id="grid-strip">${strip}</div>`;
}

// Scrubbing swaps the big image's src for a thumbnail's, so each grid is embedded once.
const SCRIPT = `
(() => {
  const slider = document.getElementById('grid-slider');
  if (!slider) return;
  const view = document.getElementById('grid-view');
  const label = document.getElementById('grid-label');
  const thumbs = Array.from(document.querySelectorAll('#grid-strip .thumb'));
  const show = (i) => {
    const thumb = thumbs[i];
    const img = thumb.querySelector('img');
    view.src = img.src;
    view.alt = 'fixed-noise samples, epoch ' + img.dataset.epoch;
    label.textContent = 'epoch ' + img.dataset.epoch + (thumb.classList.contains('best') ? ' \\u2605 best' : '');
    thumbs.forEach((t, k) => t.classList.toggle('current', k === i));
    slider.value = String(i);
  };
  slider.addEventListener('input', () => show(Number(slider.value)));
  thumbs.forEach((t, i) => t.addEventListener('click', () => show(i)));
})();`;

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 22px; margin: 0 0 12px; } h2 { font-size: 17px; margin: 28px 0 10px; }
table.summary th { text-align: left; padding-right: 16px; font-weight: 600; }
table.summary td, table.summary th { padding: 2px 16px 2px 0; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg.chart { background: #fff; border: 1px solid #ddd; }
svg.chart .grid { stroke: #eee; } svg.chart .axis, svg.chart .tick-mark { stroke: #555; }
svg.chart text { font: 11px system-ui, sans-serif; fill: #333; }
svg.chart .chart-title { font-size: 13px; font-weight: 600; }
svg.chart .axis-label { font-size: 12px; }
svg.chart .marker { stroke: #9467bd; stroke-dasharray: 4 3; }
svg.chart .marker-label { fill: #9467bd; }
.viewer img { width: 364px; image-rendering: pixelated; border: 1px solid #ccc; }
.scrub { display: flex; align-items: center; gap: 12px; margin: 6px 0; } .scrub input { width: 300px; }
.strip { display: flex; overflow-x: auto; gap: 6px; padding: 4px 0; }
.thumb { margin: 0; text-align: center; cursor: pointer; }
.thumb img { width: 72px; image-rendering: pixelated; border: 2px solid transparent; display: block; }
.thumb.current img { border-color: #1f77b4; }
.thumb.best figcaption { color: #9467bd; font-weight: 600; }
.thumb.best img { outline: 2px dashed #9467bd; }
figcaption { font-size: 11px; } pre { background: #f6f6f6; padding: 10px; overflow-x: auto; } .empty { color: #777; }`;

export function renderReport(run: RunData, grids: EmbeddedGrid[], generatedAt = new Date()): string {
  const title = `gan run report: ${run.name}`;
  const config = run.configYaml ?? (run.state ? JSON.stringify(run.state.config, null, 2) : undefined);
  return `${htmlHead(title, STYLE)}
<body>
<h1>${escapeHtml(title)}</h1>
${summaryHtml(run)}
<h2>Curves</h2>
${chartsHtml(run)}
<h2>Fixed-noise samples by epoch</h2>
${samplesHtml(grids, run.best?.epoch)}
<h2>Config</h2>
${config ? `<pre>${escapeHtml(config)}</pre>` : '<p class="empty">No config.yaml.</p>'}
<p class="empty">Generated ${escapeHtml(generatedAt.toISOString())} from ${escapeHtml(run.root)}.</p>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
