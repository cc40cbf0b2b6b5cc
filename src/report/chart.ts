// A small server-side SVG line chart: linear axes with "nice" ticks, one path per series, a
// legend, and an optional vertical marker (the best epoch). The report embeds the SVG text as
// is, so the page needs no charting script and renders from disk with no network.
// (A charting library would bring a DOM or a dozen d3 packages for what is ~150 lines here.)
import { escapeHtml } from './page-parts.js';

export interface Series {
  name: string;
  /** [x, y] points in x order; non-finite y values leave a gap in the line. */
  points: readonly (readonly [number, number])[];
  color: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** A dashed vertical line at x, labelled (e.g. the best checkpoint). */
  marker?: { x: number; label: string };
  /** Ticks on the x axis are whole numbers (epochs). */
  integerX?: boolean;
  width?: number;
  height?: number;
}

export interface Ticks {
  /** The axis range, widened to whole tick steps. */
  min: number;
  max: number;
  step: number;
  values: number[];
}

/**
 * Round tick values for [lo, hi] with about `count` intervals: steps of 1, 2 or 5 times a
 * power of ten (the rule d3 and most plotting tools use), the range widened to whole steps.
 * A zero-width range is widened first so a single point still gets an axis.
 */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): Ticks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error(`niceTicks: non-finite range [${lo}, ${hi}]`);
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const ratio = raw / power;
  // Switch to the next step size at the geometric mean of two sizes (as d3.ticks does).
  let step = (ratio >= Math.sqrt(50) ? 10 : ratio >= Math.sqrt(10) ? 5 : ratio >= Math.SQRT2 ? 2 : 1) * power;
  if (integer) step = Math.max(1, Math.round(step));
  const min = Math.floor(lo / step + 1e-9) * step;
  const max = Math.ceil(hi / step - 1e-9) * step;
  const values: number[] = [];
  for (let i = 0; min + i * step <= max + step * 1e-9; i++) values.push(roundTo(min + i * step, step));
  return { min: roundTo(min, step), max: roundTo(max, step), step, values };
}

/** Decimals needed to print multiples of `step` exactly. */
function decimalsFor(step: number): number {
  return Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
}

/** Removes floating-point noise (0.30000000000000004) from a multiple of `step`. */
function roundTo(value: number, step: number): number {
  return Number(value.toFixed(decimalsFor(step)));
}

export function formatTick(value: number, step: number): string {
  return value.toFixed(decimalsFor(step));
}

const MARGIN = { top: 34, right: 16, bottom: 44, left: 62 };
const fmt = (v: number) => Number(v.toFixed(2)).toString();

/** The path data of one series, starting a new sub-path after every gap. */
function pathData(points: Series['points'], sx: (x: number) => number, sy: (y: number) => number): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${fmt(sx(x))},${fmt(sy(y))}`;
    pen = true;
  }
  return d;
}

/** One chart as an `<svg>` element string. */
export function lineChart(spec: ChartSpec): string {
  const width = spec.width ?? 560;
  const height = spec.height ?? 300;
  const finite = spec.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const xs = finite.map(([x]) => x).concat(spec.marker ? [spec.marker.x] : []);
  const ys = finite.map(([, y]) => y);
  const xt = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1, 6, spec.integerX);
  const yt = niceTicks(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1, 5);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - xt.min) / (xt.max - xt.min)) * plotW;
  const sy = (y: number) => MARGIN.top + plotH - ((y - yt.min) / (yt.max - yt.min)) * plotH;
  const bottom = MARGIN.top + plotH;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" ` +
      `height="${height}" role="img" aria-label="${escapeHtml(spec.title)}">`,
  );
  parts.push(`<title>${escapeHtml(spec.title)}</title>`);
  parts.push(`<text class="chart-title" x="${MARGIN.left}" y="18">${escapeHtml(spec.title)}</text>`);
  for (const v of yt.values) {
    const y = fmt(sy(v));
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y}" y2="${y}"/>`);
    parts.push(
      `<text class="tick" x="${MARGIN.left - 6}" y="${y}" text-anchor="end" ` +
        `dominant-baseline="middle">${formatTick(v, yt.step)}</text>`,
    );
  }
  for (const v of xt.values) {
    const x = fmt(sx(v));
    parts.push(`<line class="tick-mark" x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 5}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${bottom + 18}" text-anchor="middle">${formatTick(v, xt.step)}</text>`);
  }
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${bottom}" y2="${bottom}"/>`);
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}"/>`);
  parts.push(
    `<text class="axis-label" x="${MARGIN.left + plotW / 2}" y="${height - 6}" ` +
      `text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`,
  );
  parts.push(
    `<text class="axis-label" transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" ` +
      `text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`,
  );
  if (spec.marker) {
    const x = fmt(sx(spec.marker.x));
    parts.push(`<line class="marker" x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${bottom}"/>`);
    parts.push(
      `<text class="marker-label" x="${x}" y="${MARGIN.top - 4}" ` +
        `text-anchor="middle">${escapeHtml(spec.marker.label)}</text>`,
    );
  }
  spec.series.forEach((s, i) => {
    const name = escapeHtml(s.name);
    const d = pathData(s.points, sx, sy);
    if (d)
      parts.push(
        `<path class="series" data-series="${name}" d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`,
      );
    // Dots show single points (a one-point path draws nothing) and where the samples are.
    if (s.points.length <= 60) {
      for (const [x, y] of s.points) {
        if (Number.isFinite(x) && Number.isFinite(y))
          parts.push(`<circle cx="${fmt(sx(x))}" cy="${fmt(sy(y))}" r="2.5" fill="${s.color}"/>`);
      }
    }
    const lx = width - MARGIN.right - 110;
    const ly = 12 + i * 14;
    parts.push(
      `<rect x="${lx}" y="${ly - 4}" width="14" height="3" fill="${s.color}"/><text class="legend" x="${lx + 20}" ` +
        `y="${ly}" dominant-baseline="middle">${name}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
