// data.source folder: your own PNG/JPEG images. A folder with class sub-folders gives labelled
// images (labels in the sub-folders' sorted order); a flat folder gives unlabelled ones. A
// split is `dir/train` and `dir/test` when they exist, else `dir` itself is the training split.
// sharp (libvips) decodes, converts to greyscale or RGB and resizes — centre-cropped to the
// square, then scaled — and the result is cached as raw bytes keyed by every file's name, size and
// modification time, so a second run starts at once and an edited folder is converted again.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { environmentProblem, UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import type { Log } from '../log.js';
import { imageBytes, type ImageSet, type Split } from './catalog.js';

const IMAGE_FILE = /\.(png|jpe?g)$/i;
/** Decoded at a time: enough to keep libvips's threads busy, few enough to bound memory. */
const CONCURRENCY = 16;
/** Bad files named in the log one by one before the rest are only counted. */
const NAMED_FAILURES = 10;

interface Listing {
  root: string;
  files: { path: string; label: number; size: number; mtimeMs: number }[];
  classes: string[];
  ignored: number;
}

/** The folder of a split: dir/train or dir/test when present; dir itself for train otherwise. */
export function splitFolder(dir: string, split: Split): string {
  const named = join(dir, split === 'train' ? 'train' : 'test');
  if (existsSync(named) && statSync(named).isDirectory()) return named;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(`data.dir ${dir}: not a directory (data.source folder reads PNG/JPEG images from it)`);
  }
  if (split === 'train') return dir;
  throw new UserError(
    `data.dir ${dir}: no test/ folder; put test images in ${named} (and training images in ` +
      `${join(dir, 'train')}) for commands that compare against test images`,
  );
}

function listFolder(root: string): Listing {
  const entries = readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  const classes = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  const files: Listing['files'] = [];
  let ignored = 0;
  const add = (folder: string, label: number) => {
    for (const e of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!e.isFile()) continue;
      if (!IMAGE_FILE.test(e.name)) {
        ignored += 1;
        continue;
      }
      const path = join(folder, e.name);
      const { size, mtimeMs } = statSync(path);
      files.push({ path, label, size, mtimeMs });
    }
  };
  if (classes.length > 0) {
    if (classes.length > 256) throw new UserError(`data.dir ${root}: ${classes.length} class folders; at most 256`);
    classes.forEach((name, label) => add(join(root, name), label));
    // Images beside the class folders would be unlabelled among labelled ones.
    ignored += entries.filter((e) => e.isFile()).length;
  } else add(root, 0);
  return { root, files, classes, ignored };
}

/** The converted images' size and channels. */
export interface FolderShape {
  height: number;
  width: number;
  channels: number;
}

function cacheKey(listing: Listing, shape: FolderShape): string {
  const hash = createHash('sha256');
  const { height, width, channels } = shape;
  hash.update(JSON.stringify({ height, width, channels, sharp: sharp.versions.vips, classes: listing.classes }));
  for (const f of listing.files) hash.update(`${relative(listing.root, f.path)}\0${f.size}\0${f.mtimeMs}\n`);
  return hash.digest('hex').slice(0, 16);
}

async function convert(path: string, shape: FolderShape): Promise<Buffer> {
  const flat = sharp(path).flatten({ background: '#000000' });
  const coloured = shape.channels === 1 ? flat.greyscale() : flat.toColourspace('srgb');
  return coloured.resize(shape.width, shape.height, { fit: 'cover' }).raw().toBuffer();
}

let cacheRefused = false;

/**
 * The cache is optional: where the machine refuses to write it (a read-only working directory,
 * a full disk), one warning per process says so and the images are used without it.
 */
function writeCache(cache: string, images: Uint8Array, labels: Uint8Array, meta: object, io: Log): void {
  try {
    writeFileAtomic(join(cache, 'images.bin'), images);
    writeFileAtomic(join(cache, 'labels.bin'), labels);
    // Written last: its presence says the two files above are complete.
    writeFileAtomic(join(cache, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  } catch (err) {
    const env = environmentProblem(err);
    if (!env) throw err;
    if (!cacheRefused)
      io.warn(`${cache}: cannot cache the converted images: ${env.problem}; going on without the cache`);
    cacheRefused = true;
  }
}

/**
 * Loads one split of an image folder at height × width, greyscale or RGB, from the cache when the
 * folder has not changed. Files that fail to decode are skipped and reported (each path up to
 * a limit, then a count); a folder with no readable image is refused.
 */
export async function loadFolder(
  dir: string,
  split: Split,
  shape: FolderShape,
  cacheDir: string,
  io: Log,
): Promise<ImageSet> {
  const root = splitFolder(dir, split);
  const listing = listFolder(root);
  const { height, width, channels } = shape;
  const kind = listing.classes.length > 0 ? `${listing.classes.length} classes` : 'unlabelled';
  if (listing.files.length === 0) {
    throw new UserError(
      `data.dir ${root}: no .png/.jpg/.jpeg images (expected class sub-folders of images, or images directly in it)`,
    );
  }
  const key = cacheKey(listing, shape);
  const cache = join(cacheDir, `folder-${key}`);
  if (existsSync(join(cache, 'meta.json'))) {
    const meta = JSON.parse(readFileSync(join(cache, 'meta.json'), 'utf8')) as { count: number; skipped: number };
    const images = new Uint8Array(readFileSync(join(cache, 'images.bin')));
    const labels = new Uint8Array(readFileSync(join(cache, 'labels.bin')));
    if (images.length === meta.count * imageBytes(shape) && labels.length === meta.count) {
      return {
        images,
        labels,
        count: meta.count,
        height,
        width,
        channels,
        classes: listing.classes,
        origin:
          `${root} (${split}), ${meta.count} images, ${kind}, cached in ${cache}` +
          (meta.skipped ? ` (${meta.skipped} unreadable files skipped)` : ''),
      };
    }
    io.warn(`${cache}: the cached images are incomplete; converting ${root} again`);
  }

  const pixels = imageBytes(shape);
  const converted: (Buffer | undefined)[] = new Array(listing.files.length);
  const failures: string[] = [];
  for (let start = 0; start < listing.files.length; start += CONCURRENCY) {
    const chunk = listing.files.slice(start, start + CONCURRENCY);
    const results = await Promise.allSettled(chunk.map((f) => convert(f.path, shape)));
    results.forEach((r, k) => {
      if (r.status === 'fulfilled') converted[start + k] = r.value;
      else failures.push(`${chunk[k]!.path}: ${(r.reason as Error).message}`);
    });
  }
  failures.slice(0, NAMED_FAILURES).forEach((f) => io.warn(`skipped ${f}`));
  if (failures.length > NAMED_FAILURES) io.warn(`skipped ${failures.length - NAMED_FAILURES} more unreadable files`);
  const kept = listing.files.flatMap((f, i) => (converted[i] ? [{ label: f.label, bytes: converted[i] }] : []));
  if (kept.length === 0) {
    throw new UserError(`data.dir ${root}: none of its ${listing.files.length} image files could be decoded`);
  }
  const images = new Uint8Array(kept.length * pixels);
  const labels = new Uint8Array(kept.length);
  kept.forEach((k, i) => {
    images.set(k.bytes, i * pixels);
    labels[i] = k.label;
  });
  const meta = { root, split, count: kept.length, skipped: failures.length, classes: listing.classes };
  writeCache(cache, images, labels, meta, io);
  const notes = [
    failures.length ? `${failures.length} unreadable skipped` : '',
    listing.ignored ? `${listing.ignored} other files ignored` : '',
  ].filter(Boolean);
  const noted = notes.length ? ` (${notes.join(', ')})` : '';
  const colour = channels === 1 ? 'greyscale' : 'RGB';
  io.log(`converted ${kept.length} images of ${root} to ${width}×${height} ${colour}${noted}`);
  return {
    images,
    labels,
    count: kept.length,
    height,
    width,
    channels,
    classes: listing.classes,
    origin: `${root} (${split}), ${kept.length} images, ${kind}, converted now`,
  };
}
