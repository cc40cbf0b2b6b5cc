// A small server-side SVG line chart: linear axes with "nice" ticks, one path per series, a
// legend, an optional vertical marker (the best epoch) and horizontal reference (a metric's
// floor). The report embeds the SVG text as is, so the page needs no charting script and
// renders from disk with no network.
// Hand-written rather than a charting library: the report must stay one self-contained file
// that draws its curves offline with scripts turned off, which a script-drawn chart cannot.
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
  /** A dashed horizontal line at y, labelled (e.g. the FID real data scores against itself). */
  reference?: { y: number; label: string };
  /**
   * The y axis spans this range whatever the data (e.g. [0, 1] for shares), so values are read
   * against their natural scale; a value outside it widens the axis rather than leave the plot.
   */
  yDomain?: readonly [number, number];
  /** Ticks on the x axis are whole numbers (epochs). */
  integerX?: boolean;
  /** The viewBox size; the page scales the chart to its column, keeping this aspect ratio. */
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

/**
 * The y axis spans at least this share of the values' magnitude. Without a floor on the span,
 * a score wandering between 1.000009 and 1.000017 fills the plot like a steep climb; with it,
 * changes under 0.1% of a value take at most a tenth of the height and read as the flat line
 * they are (a note states their exact range).
 */
const MIN_RELATIVE_SPAN = 0.01;

/** The y range to draw, and the data's own range when it had to be widened to read as flat. */
export interface YRange {
  lo: number;
  hi: number;
  flat?: readonly [number, number];
}

export function yRange(values: readonly number[], domain?: readonly [number, number]): YRange {
  if (values.length === 0) return domain ? { lo: domain[0], hi: domain[1] } : { lo: 0, hi: 1 };
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (domain) return { lo: Math.min(lo, domain[0]), hi: Math.max(hi, domain[1]) };
  const minSpan = MIN_RELATIVE_SPAN * Math.max(Math.abs(lo), Math.abs(hi));
  if (hi - lo >= minSpan) return { lo, hi };
  const mid = (lo + hi) / 2;
  return { lo: mid - minSpan / 2, hi: mid + minSpan / 2, flat: hi > lo ? [lo, hi] : undefined };
}

/** lo and hi with just enough decimals to tell them apart (1.000009 and 1.000017). */
function formatFlatRange([lo, hi]: readonly [number, number]): string {
  const decimals = Math.max(0, Math.min(12, Math.ceil(-Math.log10(hi - lo))));
  return `${lo.toFixed(decimals)} to ${hi.toFixed(decimals)}`;
}

// Layout in viewBox units. Text sizes (the page's CSS) are 12 for ticks, legend and axis titles
// and 14 for the chart title; CHAR_WIDTH is a generous average advance of a 12-unit digit, so
// labels measured with it fit in the space kept for them.
const CHAR_WIDTH = 7.5;
const TOP = 36;
const RIGHT = 16;
const BOTTOM = 44;
/** The strip left of the tick labels that holds the rotated y-axis title. */
const Y_TITLE_BAND = 26;
const TICK_GAP = 6;

const fmt = (v: number) => Number(v.toFixed(2)).toString();
const textWidth = (text: string) => text.length * CHAR_WIDTH;

/** The left margin: the y title's strip, then room for the longest tick label. */
export function leftMargin(tickLabels: readonly string[]): number {
  return Y_TITLE_BAND + Math.max(0, ...tickLabels.map(textWidth)) + TICK_GAP;
}

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

/** Text drawn over the curves gets a white outline (CSS class `halo`) so both stay legible. */
function haloText(cls: string, x: number, y: number, anchor: 'start' | 'end', text: string): string {
  return `<text class="${cls} halo" x="${fmt(x)}" y="${fmt(y)}" text-anchor="${anchor}">${escapeHtml(text)}</text>`;
}

/** One chart as an `<svg>` element string. */
export function lineChart(spec: ChartSpec): string {
  const width = spec.width ?? 450;
  const height = spec.height ?? 270;
  const finite = spec.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const xs = finite.map(([x]) => x).concat(spec.marker ? [spec.marker.x] : []);
  const ys = finite.map(([, y]) => y).concat(spec.reference ? [spec.reference.y] : []);
  const xt = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1, 6, spec.integerX);
  const range = yRange(ys, spec.yDomain);
  const yt = niceTicks(range.lo, range.hi, 5);
  const yLabels = yt.values.map((v) => formatTick(v, yt.step));
  const left = leftMargin(yLabels);
  const right = width - RIGHT;
  const bottom = height - BOTTOM;
  const sx = (x: number) => left + ((x - xt.min) / (xt.max - xt.min)) * (right - left);
  const sy = (y: number) => bottom - ((y - yt.min) / (yt.max - yt.min)) * (bottom - TOP);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" ` +
      `height="${height}" role="img" aria-label="${escapeHtml(spec.title)}">`,
  );
  parts.push(`<title>${escapeHtml(spec.title)}</title>`);
  parts.push(`<text class="chart-title" x="8" y="18">${escapeHtml(spec.title)}</text>`);
  yt.values.forEach((v, i) => {
    const y = fmt(sy(v));
    parts.push(`<line class="grid" x1="${left}" x2="${right}" y1="${y}" y2="${y}"/>`);
    parts.push(
      `<text class="tick" x="${left - TICK_GAP}" y="${y}" text-anchor="end" ` +
        `dominant-baseline="middle">${yLabels[i]}</text>`,
    );
  });
  for (const v of xt.values) {
    const x = fmt(sx(v));
    parts.push(`<line class="tick-mark" x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 5}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${bottom + 18}" text-anchor="middle">${formatTick(v, xt.step)}</text>`);
  }
  parts.push(`<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`);
  parts.push(`<line class="axis" x1="${left}" x2="${left}" y1="${TOP}" y2="${bottom}"/>`);
  parts.push(
    `<text class="axis-label" x="${fmt((left + right) / 2)}" y="${height - 6}" ` +
      `text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`,
  );
  parts.push(
    `<text class="axis-label" transform="translate(${Y_TITLE_BAND / 2 + 2} ${fmt((TOP + bottom) / 2)}) rotate(-90)" ` +
      `text-anchor="middle" dominant-baseline="middle">${escapeHtml(spec.yLabel)}</text>`,
  );
  // Reference and marker lines go under the curves; their labels over them.
  const labels: string[] = [];
  if (spec.reference) {
    const y = sy(spec.reference.y);
    parts.push(`<line class="reference" x1="${left}" x2="${right}" y1="${fmt(y)}" y2="${fmt(y)}"/>`);
    labels.push(haloText('reference-label', right - 4, Math.max(y - 5, TOP + 12), 'end', spec.reference.label));
  }
  if (spec.marker) {
    const x = sx(spec.marker.x);
    parts.push(`<line class="marker" x1="${fmt(x)}" x2="${fmt(x)}" y1="${TOP}" y2="${bottom}"/>`);
    // Inside the plot, at its top, on whichever side of the line has room.
    const fitsRight = x + 4 + textWidth(spec.marker.label) <= right;
    labels.push(
      haloText('marker-label', fitsRight ? x + 4 : x - 4, TOP + 14, fitsRight ? 'start' : 'end', spec.marker.label),
    );
  }
  if (range.flat) labels.push(haloText('note', left + 6, bottom - 8, 'start', `values ${formatFlatRange(range.flat)}`));
  const legendX = right - 20 - Math.max(0, ...spec.series.map((s) => textWidth(s.name)));
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
    const ly = 12 + i * 15;
    parts.push(
      `<rect x="${fmt(legendX)}" y="${ly - 2}" width="14" height="3" fill="${s.color}"/><text class="legend" ` +
        `x="${fmt(legendX + 20)}" y="${ly}" dominant-baseline="middle">${name}</text>`,
    );
  });
  parts.push(...labels, '</svg>');
  return parts.join('');
}
