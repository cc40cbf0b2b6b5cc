// The report page as one self-contained HTML string: curves as inline SVG, sample grids as
// data: URIs, a few lines of inline script for the epoch slider, local times and reloading while
// the run trains. No external resource of any kind, so the file opens from disk, offline, and
// can be mailed or archived as it is; without script it still shows everything but the scrubbing.
import { lineChart, type ChartSpec, type Series } from './chart.js';
import { escapeHtml, htmlHead } from './page-parts.js';
import type { MetricRecord, RunData } from './run-data.js';
import { samplesHtml, VIEWER_MAX, type EmbeddedGrid } from './samples-html.js';

export type { EmbeddedGrid } from './samples-html.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e'];

/** What one chart plots: metrics.jsonl keys with the names a reader knows them by. */
interface ChartDef {
  title: string;
  yLabel: string;
  keys: [key: string, label: string][];
  yDomain?: ChartSpec['yDomain'];
  /** The metrics.jsonl key of the value real data scores (drawn as a dashed "floor" line). */
  floorKey?: string;
}

const CHARTS: ChartDef[] = [
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
  { title: 'FID (lower is better)', yLabel: 'FID', keys: [['fid', 'FID']], floorKey: 'fid_floor' },
  { title: 'Classifier score (higher is better)', yLabel: 'score', keys: [['score', 'score']] },
  { title: 'KID (lower is better)', yLabel: 'KID', keys: [['kid', 'KID']], floorKey: 'kid_floor' },
  {
    title: 'Precision and recall',
    yLabel: 'share',
    keys: [
      ['precision', 'precision'],
      ['recall', 'recall'],
    ],
    yDomain: [0, 1],
  },
  // Semi-supervised runs: the classifier's accuracy on held-out test images, for watching only.
  // Not on [0, 1]: the points that matter are the last few between 0.9 and 1.
  { title: 'Held-out accuracy', yLabel: 'accuracy', keys: [['test_accuracy', 'test accuracy']] },
];

function seriesOf(metrics: MetricRecord[], key: string, name: string, color: string): Series {
  const points = metrics
    .filter((m) => key in m)
    .map((m) => [m.epoch, typeof m[key] === 'number' ? (m[key] as number) : NaN] as const);
  return { name, points, color };
}

/** The newest finite number recorded under `key`, if any line has one. */
function latestNumber(metrics: MetricRecord[], key: string): number | undefined {
  for (let i = metrics.length - 1; i >= 0; i--) {
    const value = metrics[i]![key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

function chartsHtml(run: RunData): string {
  const charts: string[] = [];
  for (const chart of CHARTS) {
    const series = chart.keys
      .map(([key, label], i) => seriesOf(run.metrics, key, label, COLORS[i % COLORS.length]!))
      .filter((s) => s.points.length > 0);
    if (series.length === 0) continue;
    const marker = run.best ? { x: run.best.epoch, label: `best (${run.best.epoch})` } : undefined;
    const floor = chart.floorKey ? latestNumber(run.metrics, chart.floorKey) : undefined;
    const reference = floor !== undefined ? { y: floor, label: `floor ${formatValue(floor)}` } : undefined;
    charts.push(
      lineChart({
        title: chart.title,
        xLabel: 'epoch',
        yLabel: chart.yLabel,
        series,
        marker,
        reference,
        yDomain: chart.yDomain,
        integerX: true,
      }),
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

/** The run's configured number of epochs, from the checkpoint's copy of the config. */
function configuredEpochs(run: RunData): number | undefined {
  const epochs = (run.state?.config as { train?: { epochs?: unknown } } | undefined)?.train?.epochs;
  return typeof epochs === 'number' ? epochs : undefined;
}

const RELOAD_SECONDS = 30;
/** A run with no checkpoint for this long has probably stopped; its page stops reloading. */
const LIVE_FOR_MS = 60 * 60 * 1000;

/**
 * Until when an open report reloads itself: an hour after the last checkpoint, while the run
 * has epochs to go and that checkpoint ended an epoch (one written mid-epoch means it was
 * interrupted). Undefined when the run is not training as far as its files tell.
 */
export function reloadUntil(run: RunData, now: Date): Date | undefined {
  const state = run.state;
  const epochs = configuredEpochs(run);
  if (!state || epochs === undefined || state.epoch >= epochs || state.iteration > 0) return undefined;
  const until = Date.parse(state.savedAt) + LIVE_FOR_MS;
  return Number.isFinite(until) && until > now.getTime() ? new Date(until) : undefined;
}

/** A UTC timestamp as `<time>`; the page's script rewrites it in the reader's zone (and its age). */
function timeHtml(iso: string, withAge: boolean): string {
  return `<time class="local${withAge ? ' age' : ''}" datetime="${escapeHtml(iso)}">${escapeHtml(iso)}</time>`;
}

function summaryHtml(run: RunData): string {
  const state = run.state;
  const model = (state?.config as { model?: { arch?: string; conditional?: boolean } } | undefined)?.model;
  const epochs = configuredEpochs(run);
  const last = run.metrics.at(-1);
  // [label, cell HTML]
  const rows: [string, string][] = [];
  if (state) {
    rows.push(['epochs', escapeHtml(`${state.epoch}${epochs ? ` of ${epochs}` : ''}`)]);
    rows.push(['engine', escapeHtml(state.engine)]);
    if (model?.arch)
      rows.push(['model', escapeHtml(`${model.arch}${model.conditional ? ' (class-conditional)' : ''}`)]);
    rows.push(['generator steps', String(state.step)]);
    rows.push(['last checkpoint', timeHtml(state.savedAt, true)]);
  }
  if (last && typeof last.img_per_s === 'number')
    rows.push(['speed (last epoch)', escapeHtml(`${formatValue(last.img_per_s)} img/s`)]);
  if (run.best) {
    const details = Object.entries(run.best.details)
      .map(([k, v]) => `${k} ${formatValue(v)}`)
      .join(', ');
    rows.push(['best checkpoint', escapeHtml(`epoch ${run.best.epoch}${details ? ` (${details})` : ''}`)]);
  }
  if (run.skippedLines > 0) rows.push(['note', `${run.skippedLines} unreadable metrics.jsonl line(s) left out`]);
  const cells = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`).join('');
  return `<table class="summary">${cells}</table>`;
}

// Scrubbing swaps the big image's src for a thumbnail's, so each grid is embedded once.
const SCRIPT = `
(() => {
  const view = document.getElementById('grid-view');
  if (!view) return;
  const slider = document.getElementById('grid-slider');
  const label = document.getElementById('grid-label');
  const thumbs = Array.from(document.querySelectorAll('#grid-strip .thumb'));
  // Crisp pixels: the grid at the largest whole multiple of its size that fits the column.
  const fit = () => {
    const w = Number(view.dataset.width);
    const h = Number(view.dataset.height);
    if (!w || !h) return;
    const room = Math.min(view.parentElement.clientWidth, ${VIEWER_MAX});
    const k = Math.floor(room / w);
    view.width = k >= 1 ? w * k : room;
    view.height = k >= 1 ? h * k : Math.round((h * room) / w);
    view.classList.toggle('crisp', k >= 1);
  };
  const show = (i) => {
    const thumb = thumbs[i];
    const img = thumb.querySelector('img');
    view.src = img.src;
    Object.assign(view.dataset, { width: img.dataset.width || '', height: img.dataset.height || '' });
    view.alt = 'fixed-noise samples, epoch ' + img.dataset.epoch;
    label.textContent = 'epoch ' + img.dataset.epoch + (thumb.classList.contains('best') ? ' \\u2605 best' : '');
    thumbs.forEach((t, k) => {
      t.classList.toggle('current', k === i);
      t.setAttribute('aria-current', String(k === i));
    });
    slider.value = String(i);
    fit();
  };
  slider.addEventListener('input', () => show(Number(slider.value)));
  thumbs.forEach((t, i) => t.addEventListener('click', () => show(i)));
  window.addEventListener('resize', fit);
  fit();
})();
(() => {
  // UTC timestamps in the reader's zone, with their age.
  const ago = (ms) => {
    const min = Math.round(ms / 60000);
    if (min < 1) return 'just now';
    if (min < 60) return min + ' min ago';
    const hours = Math.round(min / 60);
    return hours < 48 ? hours + ' h ago' : Math.round(hours / 24) + ' days ago';
  };
  for (const t of document.querySelectorAll('time.local')) {
    const at = new Date(t.dateTime);
    if (Number.isNaN(at.getTime())) continue;
    t.title = t.dateTime;
    t.textContent = at.toLocaleString() + (t.classList.contains('age') ? ' (' + ago(Date.now() - at) + ')' : '');
  }
  // While the run trains, reload to show each new epoch; stop once it has gone quiet.
  const until = Date.parse(document.body.dataset.reloadUntil || '');
  const note = document.getElementById('live');
  if (until > Date.now()) setTimeout(() => location.reload(), ${RELOAD_SECONDS * 1000});
  else if (note) note.textContent = 'No checkpoint for an hour: the run may have stopped. This page no longer reloads.';
})();`;

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
@media (max-width: 600px) { body { margin: 12px; } }
h1 { font-size: 22px; margin: 0 0 12px; overflow-wrap: anywhere; } h2 { font-size: 17px; margin: 28px 0 10px; }
table.summary th { text-align: left; padding-right: 16px; font-weight: 600; }
table.summary td, table.summary th { padding: 2px 16px 2px 0; vertical-align: top; overflow-wrap: anywhere; }
#live { color: #2a7a3a; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 452px)); gap: 12px; }
svg.chart { display: block; width: 100%; height: auto; box-sizing: border-box; background: #fff;
  border: 1px solid #ddd; }
svg.chart .grid { stroke: #eee; } svg.chart .axis, svg.chart .tick-mark { stroke: #555; }
svg.chart text { font: 12px system-ui, sans-serif; fill: #333; }
svg.chart .chart-title { font-size: 14px; font-weight: 600; }
svg.chart .marker { stroke: #9467bd; stroke-dasharray: 4 3; }
svg.chart .marker-label { fill: #9467bd; }
svg.chart .reference { stroke: #666; stroke-dasharray: 7 4; }
svg.chart .reference-label, svg.chart .note { fill: #555; }
svg.chart .halo { paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
img.crisp { image-rendering: pixelated; }
.viewer img { display: block; max-width: 100%; height: auto; }
.scrub { display: flex; align-items: center; gap: 12px; margin: 6px 0; }
.scrub input { flex: 1 1 auto; min-width: 0; max-width: 300px; }
.strip { display: flex; overflow-x: auto; gap: 6px; padding: 4px; }
.thumb { flex: none; margin: 0; padding: 0; border: 0; background: none; font: inherit; color: inherit;
  text-align: center; cursor: pointer; }
.thumb:focus-visible { outline: 2px solid #1f77b4; outline-offset: 2px; }
.thumb img { display: block; border: 2px solid transparent; }
.thumb.current img { border-color: #1f77b4; }
.thumb.best .caption { color: #9467bd; font-weight: 600; }
.thumb.best img { outline: 2px dashed #9467bd; }
.caption { font-size: 12px; } pre { background: #f6f6f6; padding: 10px; overflow-x: auto; }
.empty { color: #777; overflow-wrap: anywhere; }`;

export function renderReport(run: RunData, grids: EmbeddedGrid[], generatedAt = new Date()): string {
  const title = `gan run report: ${run.name}`;
  const config = run.configYaml ?? (run.state ? JSON.stringify(run.state.config, null, 2) : undefined);
  const until = reloadUntil(run, generatedAt);
  const live = until
    ? `<p id="live">The run is training: this page reloads every ${RELOAD_SECONDS} s to show new epochs.</p>\n`
    : '';
  return `${htmlHead(title, STYLE)}
<body${until ? ` data-reload-until="${until.toISOString()}"` : ''}>
<h1>${escapeHtml(title)}</h1>
${live}${summaryHtml(run)}
<h2>Curves</h2>
${chartsHtml(run)}
<h2>Fixed-noise samples by epoch</h2>
${samplesHtml(grids, run.best?.epoch)}
<h2>Config</h2>
${config ? `<pre>${escapeHtml(config)}</pre>` : '<p class="empty">No config.yaml.</p>'}
<p class="empty">Generated ${timeHtml(generatedAt.toISOString(), false)} from ${escapeHtml(run.root)}.</p>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
