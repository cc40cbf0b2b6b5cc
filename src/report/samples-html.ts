// The report's sample grids: the newest grid large with a slider over the epochs, and a strip of
// keyboard-reachable thumbnails. Grids are shown at sizes that keep their pixel gaps even.

/** A sample grid ready to embed. */
export interface EmbeddedGrid {
  epoch: number;
  /** data:image/png;base64,... */
  src: string;
}

export interface PixelSize {
  width: number;
  height: number;
}

/** A PNG data: URI's pixel size, read from its IHDR chunk; undefined for anything else. */
export function pngSize(src: string): PixelSize | undefined {
  // Signature (8 bytes), IHDR length and type (8), width and height (8): 24 bytes, 32 base64 chars.
  const head = /^data:image\/png;base64,([A-Za-z0-9+/]{32})/.exec(src)?.[1];
  if (!head) return undefined;
  const bytes = Buffer.from(head, 'base64');
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

// Browsers resample an image drawn at a non-integer scale unevenly: in a grid's thin black gaps
// some rows of pixels survive and some vanish, a plaid the PNG does not have. So grids are shown
// at whole multiples of their pixels, sharp ("crisp"), or shrunk by a whole factor and smoothed.
const THUMB_MAX = 80;
/** Widest grid view the script makes on a wide screen. */
export const VIEWER_MAX = 640;
/** The grid view's width without script: fits a 360 px phone with the page's margins. */
const VIEWER_NO_SCRIPT = 336;

/** A thumbnail's size: a whole multiple of a small grid, or a big one divided by a whole number. */
export function thumbSize({ width, height }: PixelSize): PixelSize & { crisp: boolean } {
  if (width <= THUMB_MAX) {
    const k = Math.floor(THUMB_MAX / width);
    return { width: width * k, height: height * k, crisp: true };
  }
  const k = Math.ceil(width / THUMB_MAX);
  return { width: Math.round(width / k), height: Math.round(height / k), crisp: false };
}

/** Size attributes of an `<img>` of a grid: its own pixels (for the script), and the size shown. */
function sizeAttributes(size: PixelSize | undefined, shown: PixelSize | undefined): string {
  const natural = size ? ` data-width="${size.width}" data-height="${size.height}"` : '';
  return natural + (shown ? ` width="${shown.width}" height="${shown.height}"` : '');
}

function thumbHtml(grid: EmbeddedGrid, index: number, current: boolean, best: boolean): string {
  const size = pngSize(grid.src);
  const shown = size && thumbSize(size);
  const classes = ['thumb', best ? 'best' : '', current ? 'current' : ''].filter(Boolean).join(' ');
  return (
    `<button type="button" class="${classes}" data-index="${index}" aria-current="${current}">` +
    `<img src="${grid.src}" data-epoch="${grid.epoch}"${sizeAttributes(size, shown)}` +
    `${shown?.crisp ? ' class="crisp"' : ''} alt="epoch ${grid.epoch}">` +
    `<span class="caption" aria-hidden="true">${grid.epoch}${best ? ' ★ best' : ''}</span></button>`
  );
}

/** The big grid (the newest) and the slider over all `count` grids. */
function viewerHtml(grid: EmbeddedGrid, count: number, best: boolean): string {
  const size = pngSize(grid.src);
  const scale = size ? Math.floor(VIEWER_NO_SCRIPT / size.width) : 0;
  const shown = size && scale >= 1 ? { width: size.width * scale, height: size.height * scale } : undefined;
  // The slider counts grids, not epochs: samples_every may skip some.
  return (
    `<div class="viewer"><img id="grid-view" src="${grid.src}"${sizeAttributes(size, shown)}` +
    `${shown ? ' class="crisp"' : ''} alt="fixed-noise samples, epoch ${grid.epoch}">\n<div class="scrub">` +
    `<input id="grid-slider" type="range" min="0" max="${count - 1}" value="${count - 1}" step="1" ` +
    `aria-label="epoch"><span id="grid-label">epoch ${grid.epoch}${best ? ' ★ best' : ''}</span></div></div>`
  );
}

export function samplesHtml(grids: EmbeddedGrid[], bestEpoch: number | undefined): string {
  if (grids.length === 0)
    return '<p class="empty">No sample grids yet (train.samples_every = 0, or no epoch has finished).</p>';
  const last = grids.at(-1)!;
  const strip = grids.map((g, i) => thumbHtml(g, i, i === grids.length - 1, g.epoch === bestEpoch)).join('');
  const viewer = viewerHtml(last, grids.length, last.epoch === bestEpoch);
  return `${viewer}\n<div class="strip" id="grid-strip">${strip}</div>`;
}
