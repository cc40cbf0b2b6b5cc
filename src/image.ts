// Generated images out of tfjs and into files: PNG grids, single PNGs, and .npy arrays.
// Images arrive as float values in [-1, 1] (the generator's tanh range), shape [n, h, w, c] with
// c = 1 (greyscale) or 3 (RGB).
import { UserError } from './errors.js';
import { PNG } from 'pngjs';

export interface ImageBatch {
  /** n*h*w*c values in [-1, 1], row-major with channels last. */
  pixels: Float32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

export const GRID_PADDING = 2;

/** [-1, 1] -> 0..255, clamped (tanh outputs can round just past the ends). */
function toByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
}

/** Generator pixels in [-1, 1] → bytes 0..255 (what a PNG of them holds). */
export function toBytes(pixels: Float32Array): Uint8Array {
  return Uint8Array.from(pixels, toByte);
}

/** Columns of a grid for n images: ceil(sqrt(n)), so the grid is as square as possible. */
export function gridColumns(count: number): number {
  return Math.ceil(Math.sqrt(count));
}

/** PNG colour types: 0 greyscale, 2 RGB. */
const COLOR_TYPE: Readonly<Record<number, 0 | 2>> = { 1: 0, 3: 2 };

function encodePng(width: number, height: number, channels: number, bytes: Uint8Array): Buffer {
  const colorType = COLOR_TYPE[channels];
  if (colorType === undefined) throw new Error(`PNG: ${channels} channels; expected 1 or 3`);
  const png = new PNG({ width, height, colorType, inputColorType: colorType, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: false });
}

/**
 * A greyscale or RGB PNG of all images in a cols x rows grid with GRID_PADDING px black gaps;
 * `columns` defaults to ceil(sqrt(n)).
 */
export function encodeGrid(batch: ImageBatch, columns = gridColumns(batch.count)): Buffer {
  const { count, height, width, channels, pixels } = batch;
  const cols = Math.max(1, Math.min(columns, count));
  const rows = Math.ceil(count / cols);
  const outW = cols * width + (cols + 1) * GRID_PADDING;
  const outH = rows * height + (rows + 1) * GRID_PADDING;
  const out = new Uint8Array(outW * outH * channels);
  const row = width * channels;
  for (let i = 0; i < count; i++) {
    const x0 = GRID_PADDING + (i % cols) * (width + GRID_PADDING);
    const y0 = GRID_PADDING + Math.floor(i / cols) * (height + GRID_PADDING);
    for (let y = 0; y < height; y++) {
      const from = (i * height + y) * row;
      const to = ((y0 + y) * outW + x0) * channels;
      for (let k = 0; k < row; k++) out[to + k] = toByte(pixels[from + k]!);
    }
  }
  return encodePng(outW, outH, channels, out);
}

/** One greyscale or RGB PNG for image `index` of the batch. */
export function encodeSingle(batch: ImageBatch, index: number): Buffer {
  const size = batch.height * batch.width * batch.channels;
  return encodePng(
    batch.width,
    batch.height,
    batch.channels,
    toBytes(batch.pixels.subarray(index * size, (index + 1) * size)),
  );
}

/** The .npy shape of a batch: (n, h, w) for greyscale, (n, h, w, c) otherwise. */
function npyShape(batch: Pick<ImageBatch, 'count' | 'height' | 'width' | 'channels'>): string {
  const dims = [batch.count, batch.height, batch.width, ...(batch.channels === 1 ? [] : [batch.channels])];
  return dims.join(', ');
}

/**
 * A NumPy .npy (format 1.0) float32 array of shape (n, h, w) — (n, h, w, c) for colour — with
 * values in [0, 1], readable by numpy.load. Header: magic, version, little-endian header length,
 * a dict padded with spaces and a newline so the data starts at a multiple of 64 bytes.
 */
export function encodeNpy(batch: ImageBatch): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${npyShape(batch)}), }`;
  const preamble = 10;
  const headerLen = Math.ceil((preamble + dict.length + 1) / 64) * 64 - preamble;
  const header = Buffer.alloc(preamble + headerLen, 0x20);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(headerLen, 8);
  header.write(dict, preamble, 'latin1');
  header[preamble + headerLen - 1] = 0x0a;
  const data = Buffer.alloc(batch.pixels.length * 4);
  for (let i = 0; i < batch.pixels.length; i++)
    data.writeFloatLE(Math.max(0, Math.min(1, (batch.pixels[i]! + 1) / 2)), i * 4);
  return Buffer.concat([header, data]);
}

/**
 * Images from a .npy file in the layout `gan sample --format npy` writes — float32 (little-endian)
 * in [0, 1], shape (n, H, W), (n, H, W, 1) or (n, H·W) for greyscale, (n, H, W, 3) or (n, H·W·3)
 * for colour — as pixels in [-1, 1]. `shape` is what the caller expects (a flat row is read as
 * that). Any other layout is a one-line error.
 */
export function decodeNpy(
  bytes: Uint8Array,
  file: string,
  shape: Pick<ImageBatch, 'height' | 'width' | 'channels'>,
): ImageBatch {
  const { height, width, channels } = shape;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (text.length < 10 || text.toString('latin1', 0, 6) !== '\x93NUMPY') {
    throw new UserError(`${file}: not a .npy file (no \\x93NUMPY magic)`);
  }
  const major = text[6]!;
  const headerLength = major === 1 ? text.readUInt16LE(8) : text.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = text.toString('latin1', start, start + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const dims = /'shape':\s*\(([^)]*)\)/
    .exec(header)?.[1]
    ?.split(',')
    .map((d) => d.trim())
    .filter(Boolean)
    .map(Number);
  const perImage = height * width * channels;
  const grid = channels === 1 ? `(n, ${height}, ${width})` : `(n, ${height}, ${width}, ${channels})`;
  const expected = `float32 ('<f4') of shape ${grid} or (n, ${perImage}), values in [0, 1]`;
  if (descr !== '<f4' || fortran !== 'False' || !dims || dims.length < 2) {
    throw new UserError(`${file}: ${descr ?? '?'} array of shape (${dims?.join(', ') ?? '?'}); expected ${expected}`);
  }
  const [count, ...rest] = dims as [number, ...number[]];
  const spatialOk = rest[0] === height && rest[1] === width;
  const layoutOk =
    (rest.length === 1 && rest[0] === perImage) ||
    (rest.length === 2 && spatialOk && channels === 1) ||
    (rest.length === 3 && spatialOk && rest[2] === channels);
  if (!layoutOk) throw new UserError(`${file}: shape (${dims.join(', ')}); expected ${expected}`);
  const dataStart = start + headerLength;
  if (text.length - dataStart !== count * perImage * 4) {
    throw new UserError(`${file}: ${text.length - dataStart} data bytes for shape (${dims.join(', ')}) (truncated?)`);
  }
  const pixels = new Float32Array(count * perImage);
  for (let i = 0; i < pixels.length; i++) {
    const value = text.readFloatLE(dataStart + 4 * i);
    // NaN fails both comparisons. Bytes (0-255) or NaN would otherwise be classified as if valid.
    if (!(value >= 0 && value <= 1)) {
      throw new UserError(
        `${file}: pixel value ${value} at index ${i}; expected finite pixels in [0, 1] (as gan sample ` +
          '--format npy writes)',
      );
    }
    pixels[i] = 2 * value - 1;
  }
  return { pixels, count, height, width, channels };
}
