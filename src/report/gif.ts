// progress.gif: the per-epoch fixed-noise grids as one animation, so a run's progress can be
// shown where HTML cannot (an issue, a chat). The grids are 8-bit grayscale, so a palette of
// the 256 grays encodes them exactly: no quantisation, each gray level is its own index.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import gifenc, * as gifencNamed from 'gifenc';
import { PNG } from 'pngjs';
import { writeFileAtomic } from '../fs-atomic.js';
import { listSampleGrids } from './run-data.js';
import { RunDir } from '../checkpoint/run-dir.js';

export const PROGRESS_GIF = 'progress.gif';
// gifenc is CommonJS built by esbuild: Node's ESM loader exposes it as a default object,
// CommonJS-style loaders (tsx outside an ESM package) as named exports / a default function.
const GIFEncoder = gifencNamed.GIFEncoder ?? (typeof gifenc === 'function' ? gifenc : gifenc.GIFEncoder);
const GRAYS = Array.from({ length: 256 }, (_, v) => [v, v, v]);

export interface GifResult {
  path: string;
  frames: number;
  /** Grids left out because their size differs from the newest one (sample.grid changed). */
  skipped: number;
}

/** Encodes grayscale frames (one byte per pixel) as a looping GIF. */
export function encodeGrayGif(
  frames: Uint8Array[],
  width: number,
  height: number,
  frameMs: number,
  lastFrameMs: number,
): Uint8Array {
  const gif = GIFEncoder();
  frames.forEach((frame, i) => {
    // The global palette goes with the first frame; later frames reuse it.
    gif.writeFrame(frame, width, height, {
      ...(i === 0 ? { palette: GRAYS, repeat: 0 } : {}),
      delay: i === frames.length - 1 ? lastFrameMs : frameMs,
    });
  });
  gif.finish();
  return gif.bytes();
}

/** Assembles samples/epoch-*.png into `<runDir>/progress.gif`; undefined when there are none. */
export function writeProgressGif(runDir: string, frameMs = 400, lastFrameMs = 2000): GifResult | undefined {
  const grids = listSampleGrids(new RunDir(runDir).samplesDir).map((g) => PNG.sync.read(readFileSync(g.path)));
  const newest = grids.at(-1);
  if (!newest) return undefined;
  const frames: Uint8Array[] = [];
  for (const png of grids) {
    if (png.width !== newest.width || png.height !== newest.height) continue;
    // pngjs decodes to RGBA; colour grids (RGB images) become their luma (Rec. 601), grey ones stay as they are.
    const gray = new Uint8Array(png.width * png.height);
    const d = png.data;
    for (let p = 0; p < gray.length; p++)
      gray[p] = Math.round(0.299 * d[p * 4]! + 0.587 * d[p * 4 + 1]! + 0.114 * d[p * 4 + 2]!);
    frames.push(gray);
  }
  const path = join(runDir, PROGRESS_GIF);
  writeFileAtomic(path, encodeGrayGif(frames, newest.width, newest.height, frameMs, lastFrameMs));
  return { path, frames: frames.length, skipped: grids.length - frames.length };
}
